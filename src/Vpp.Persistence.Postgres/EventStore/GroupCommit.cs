using System.Threading.Channels;
using Marten;
using Vpp.Persistence.EventStore;

namespace Vpp.Persistence.Postgres.EventStore;

/// <summary>One append waiting for its commit.</summary>
internal sealed record PendingAppend(string StreamKey, long ExpectedVersion, IReadOnlyList<object> Events, CancellationToken Ct)
{
    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Writers that commit every append waiting when they get to it in one Marten session. A stream
/// appears at most once per batch (a second append to it waits for the next batch), so the
/// expected-version checks of one batch never depend on each other.
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    public const int Writers = 4;
    public const int MaxBatch = 500;
    private readonly IDocumentStore _store;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;

    public GroupCommit(IDocumentStore store)
    {
        _store = store;
        _writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoop)).ToArray();
    }

    public Task<long> AppendAsync(PendingAppend append)
    {
        if (!_queue.Writer.TryWrite(append)) throw new ObjectDisposedException(nameof(GroupCommit));
        return append.Done.Task;
    }

    private async Task WriteLoop()
    {
        var batch = new List<PendingAppend>();
        var held = new List<PendingAppend>();
        while (held.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            var streams = new HashSet<string>(StringComparer.Ordinal);
            foreach (var h in held) if (streams.Add(h.StreamKey)) batch.Add(h); else _queue.Writer.TryWrite(h);
            held.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                if (next.Ct.IsCancellationRequested) next.Done.TrySetCanceled(next.Ct);
                else if (streams.Add(next.StreamKey)) batch.Add(next);
                else held.Add(next);
            }
            if (batch.Count > 0) await CommitAsync(batch);
            batch.Clear();
        }
        foreach (var h in held) await CommitAsync([h]);
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        try
        {
            await SaveAsync(batch);
            foreach (var a in batch) a.Done.TrySetResult(a.ExpectedVersion + a.Events.Count);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad append must not fail the others: each on its own, with its own answer.
            foreach (var a in batch) await CommitAsync([a]);
        }
        catch (Exception e) when (MartenEventStore.IsConflict(e))
        {
            batch[0].Done.TrySetException(new StreamConflictException(batch[0].StreamKey, batch[0].ExpectedVersion, e));
        }
        catch (Exception e)
        {
            batch[0].Done.TrySetException(e);
        }
    }

    private async Task SaveAsync(IReadOnlyList<PendingAppend> batch)
    {
        await using var session = _store.LightweightSession();
        foreach (var a in batch)
        {
            if (a.ExpectedVersion == 0) session.Events.StartStream(a.StreamKey, a.Events.ToArray());
            else session.Events.Append(a.StreamKey, a.ExpectedVersion + a.Events.Count, a.Events.ToArray());
        }
        await session.SaveChangesAsync(batch.Count == 1 ? batch[0].Ct : CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }
}
