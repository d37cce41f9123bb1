using Vpp.Persistence.EventStore;

namespace Vpp.Grains.EventSourcing;

/// <summary>State folded from a stream's events.</summary>
public interface IAggregate
{
    void Apply(object @event);
}

/// <summary>
/// A grain's event-sourced state: load (snapshot, then the events after it), decide, append with
/// the expected version, apply. The owning grain is the stream's only writer in normal operation;
/// if another writer appended anyway (a second activation during a partition, a migration tool),
/// the append fails, the state is reloaded and the decision is made again against the new state,
/// so a command that is no longer valid fails with its own clear error rather than overwriting.
/// </summary>
public sealed class EventSourcedStream<T>(IEventStore store, string streamKey, int snapshotEvery = 0)
    where T : class, IAggregate, new()
{
    private const int MaxAttempts = 3;
    private long _snapshotVersion;

    public T State { get; private set; } = new();
    public long Version { get; private set; }
    public string StreamKey => streamKey;

    public async Task LoadAsync(CancellationToken ct = default)
    {
        var snapshot = snapshotEvery > 0 ? await store.LoadSnapshotAsync<T>(streamKey, ct) : null;
        State = snapshot?.State ?? new T();
        Version = _snapshotVersion = snapshot?.Version ?? 0;
        var read = await store.ReadAsync(streamKey, Version, ct);
        foreach (var e in read.Events) State.Apply(e);
        Version += read.Events.Count;
    }

    /// <summary>
    /// Runs <paramref name="decide"/> on the current state and appends what it returns. Exceptions
    /// from <paramref name="decide"/> (rule violations) pass through unchanged.
    /// </summary>
    public async Task<IReadOnlyList<object>> ExecuteAsync(Func<T, IReadOnlyList<object>> decide, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var events = decide(State);
            if (events.Count == 0) return events;
            try
            {
                Version = await store.AppendAsync(streamKey, Version, events, ct);
            }
            catch (StreamConflictException) when (attempt < MaxAttempts)
            {
                await LoadAsync(ct);
                continue;
            }
            foreach (var e in events) State.Apply(e);
            await MaybeSnapshot(ct);
            return events;
        }
    }

    private async Task MaybeSnapshot(CancellationToken ct)
    {
        if (snapshotEvery <= 0 || Version - _snapshotVersion < snapshotEvery) return;
        await store.SaveSnapshotAsync(streamKey, Version, State, ct);
        _snapshotVersion = Version;
    }
}
