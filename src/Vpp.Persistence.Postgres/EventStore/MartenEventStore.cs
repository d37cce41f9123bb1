using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using IEventStore = Vpp.Persistence.EventStore.IEventStore;
using Marten;
using Marten.Exceptions;
using Vpp.Persistence.EventStore;

namespace Vpp.Persistence.Postgres.EventStore;

/// <summary>Marten-backed event store: one string-keyed stream per aggregate, optimistic appends.</summary>
public sealed class MartenEventStore(IDocumentStore store) : IEventStore, IAsyncDisposable
{
    private readonly GroupCommit commits = new(store);

    public ValueTask DisposeAsync() => commits.DisposeAsync();

    public bool IsDurable => true;

    public async Task<StreamRead> ReadAsync(string streamKey, long afterVersion, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamKey, fromVersion: afterVersion + 1, token: ct);
        if (events.Count > 0) return new StreamRead(events[^1].Version, events.Select(e => e.Data).ToList());
        var state = await session.Events.FetchStreamStateAsync(streamKey, ct);
        return new StreamRead(state?.Version ?? 0, []);
    }

    /// <summary>
    /// Appends go through a group commit: concurrent appends (a dispatch starting on a thousand
    /// batteries, say) are written by a few writers, each taking every append waiting at that
    /// moment into one transaction, so a burst costs a few commits instead of one each. Nothing
    /// waits on purpose: an append alone is written at once. If a batch fails (a version conflict
    /// in one stream, say), its appends are retried one by one, so each gets its own answer.
    /// </summary>
    public Task<long> AppendAsync(string streamKey, long expectedVersion, IReadOnlyList<object> events, CancellationToken ct = default) =>
        commits.AppendAsync(new PendingAppend(streamKey, expectedVersion, events, ct));

    internal static bool IsConflict(Exception e) =>
        e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException or EventStreamUnexpectedMaxEventIdException or ConcurrencyException
        || e.InnerException is { } inner && IsConflict(inner);

    public async Task<StreamSnapshot<T>?> LoadSnapshotAsync<T>(string streamKey, CancellationToken ct = default) where T : class
    {
        await using var session = store.QuerySession();
        var doc = await session.LoadAsync<StreamSnapshotDocument>(streamKey, ct);
        if (doc is null || doc.Type != typeof(T).FullName) return null;
        return new StreamSnapshot<T>(doc.Version, JsonSerializer.Deserialize<T>(doc.Json, SnapshotJson.Options)!);
    }

    public async Task SaveSnapshotAsync<T>(string streamKey, long version, T state, CancellationToken ct = default) where T : class
    {
        await using var session = store.LightweightSession();
        session.Store(new StreamSnapshotDocument
        {
            Id = streamKey, Version = version, Type = typeof(T).FullName!, Json = JsonSerializer.Serialize(state, SnapshotJson.Options),
        });
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>A stream's folded state at a version, as JSON so the aggregate's shape stays the grain's business.</summary>
public sealed class StreamSnapshotDocument
{
    public string Id { get; set; } = "";
    public long Version { get; set; }
    public string Type { get; set; } = "";
    public string Json { get; set; } = "";
}
