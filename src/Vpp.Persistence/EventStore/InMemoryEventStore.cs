using System.Text.Json;
using Vpp.Persistence.ReadModels;

namespace Vpp.Persistence.EventStore;

/// <summary>
/// Volatile event store for the embedded default and tests: same contract as the durable one,
/// everything lost on restart. Read models are updated in the same lock as the append, so they
/// are never behind (the durable store's async projections may lag a little).
/// </summary>
public sealed class InMemoryEventStore(InMemoryReadModels readModels, Outbox.InMemoryOutbox? outbox = null) : IEventStore
{
    private readonly Dictionary<string, List<object>> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Version, string Json, Type Type)> _snapshots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool IsDurable => false;

    public Task<StreamRead> ReadAsync(string streamKey, long afterVersion, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (!_streams.TryGetValue(streamKey, out var events)) return Task.FromResult(new StreamRead(0, []));
            return Task.FromResult(new StreamRead(events.Count, events.Skip((int)afterVersion).ToList()));
        }
    }

    public Task<long> AppendAsync(string streamKey, long expectedVersion, IReadOnlyList<object> events, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var stream = _streams.GetValueOrDefault(streamKey);
            var current = stream?.Count ?? 0;
            if (current != expectedVersion) throw new StreamConflictException(streamKey, expectedVersion);
            if (stream is null) _streams[streamKey] = stream = [];
            stream.AddRange(events);
            foreach (var e in events)
            {
                readModels.Apply(e);
                if (outbox is not null && Outbox.OutboxEvents.IsPublished(e))
                    outbox.Enqueue(new Outbox.OutboxEvent(Guid.CreateVersion7(), streamKey, e, ((Events.IVppEvent)e).At));
            }
            return Task.FromResult((long)stream.Count);
        }
    }

    // Snapshots go through JSON so a snapshot is a copy, as it would be in a database.
    public Task<StreamSnapshot<T>?> LoadSnapshotAsync<T>(string streamKey, CancellationToken ct = default) where T : class
    {
        lock (_lock)
        {
            return Task.FromResult(_snapshots.TryGetValue(streamKey, out var s) && s.Type == typeof(T)
                ? new StreamSnapshot<T>(s.Version, JsonSerializer.Deserialize<T>(s.Json, SnapshotJson.Options)!)
                : null);
        }
    }

    public Task SaveSnapshotAsync<T>(string streamKey, long version, T state, CancellationToken ct = default) where T : class
    {
        lock (_lock) _snapshots[streamKey] = (version, JsonSerializer.Serialize(state, SnapshotJson.Options), typeof(T));
        return Task.CompletedTask;
    }
}
