namespace Vpp.Persistence.EventStore;

/// <summary>Events of one stream after a version, and the stream's current version (0 = no stream).</summary>
public sealed record StreamRead(long Version, IReadOnlyList<object> Events);

/// <summary>A stored fold of a stream up to <paramref name="Version"/>, so activation need not replay everything.</summary>
public sealed record StreamSnapshot<T>(long Version, T State);

/// <summary>
/// The event-store seam. Appends are optimistic: they name the version the writer last saw, and
/// fail with <see cref="StreamConflictException"/> if anyone else appended since. Versions count
/// events from 1; a stream that does not exist has version 0.
/// </summary>
public interface IEventStore
{
    /// <summary>True when events survive a restart. The in-memory store says false and is logged as volatile.</summary>
    bool IsDurable { get; }

    Task<StreamRead> ReadAsync(string streamKey, long afterVersion, CancellationToken ct = default);

    /// <summary>Appends and returns the new version.</summary>
    Task<long> AppendAsync(string streamKey, long expectedVersion, IReadOnlyList<object> events, CancellationToken ct = default);

    Task<StreamSnapshot<T>?> LoadSnapshotAsync<T>(string streamKey, CancellationToken ct = default) where T : class;

    /// <summary>Best effort: a lost snapshot only means a longer replay.</summary>
    Task SaveSnapshotAsync<T>(string streamKey, long version, T state, CancellationToken ct = default) where T : class;
}

/// <summary>Another writer appended to the stream since the caller read it.</summary>
public sealed class StreamConflictException(string streamKey, long expectedVersion, Exception? inner = null)
    : Exception($"Stream '{streamKey}' changed since version {expectedVersion}.", inner)
{
    public string StreamKey { get; } = streamKey;
    public long ExpectedVersion { get; } = expectedVersion;
}
