using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;

namespace Vpp.Messaging.Consumers;

/// <summary>What became of one message.</summary>
public readonly record struct Handled(string? DeadLetterCode, string? Reason)
{
    public static readonly Handled Ok = new(null, null);
    public static Handled Refuse(string code, string reason) => new(code, reason);
}

/// <summary>
/// A consumer-group member that handles messages in batches: messages with the same key are handled
/// one after another in offset order (so per-device and per-region order holds), different keys in
/// parallel; offsets are committed only after every message of the batch has had its effect (or was
/// dead-lettered). A bad message never stops the loop; a failing effect (e.g. a grain or the store
/// is down) is retried before anything is committed.
/// </summary>
public abstract class BatchConsumer(KafkaEndpoint kafka, KafkaOptions options, DeadLetters deadLetters, KafkaMetrics metrics, ILogger log)
    : BackgroundService
{
    protected abstract string Topic { get; }

    /// <summary>This consumer's own group within <see cref="KafkaOptions.GroupId"/> (see <see cref="KafkaOptions.ConsumerGroup"/>).</summary>
    protected abstract string GroupName { get; }
    protected KafkaOptions Settings => options;


    /// <summary>Per-topic consumer settings (e.g. latency over fetch efficiency).</summary>
    protected virtual void Configure(ConsumerConfig config, KafkaOptions settings)
    {
    }

    /// <summary>
    /// How often the effects of handled batches are made durable and their offsets committed. Zero:
    /// after every batch, before the next poll. Otherwise the write runs while the next batches are
    /// handled (at most <see cref="MaxBatchesAhead"/> of them), and offsets follow it.
    /// </summary>
    protected virtual TimeSpan DurableInterval => TimeSpan.Zero;

    /// <summary>Batches handled while a durable write is under way before the loop waits for it (bounds memory when the store is slow).</summary>
    private const int MaxBatchesAhead = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var config = kafka.ConsumerConfig(options.ConsumerGroup(GroupName));
        Configure(config, options);
        using var consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, e) => log.LogWarning("Kafka consumer ({Topic}): {Reason}", Topic, e.Reason))
            .Build();
        consumer.Subscribe(Topic);
        var pending = new PendingOffsets();
        InFlight? inFlight = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Poll no longer than until waiting batches are due to be written, or (a write under way) briefly,
                // so its offsets are committed soon after it ends.
                var wait = inFlight is not null ? InFlightPoll
                    : pending.Batches == 0 ? IdlePoll : TimeSpan.FromTicks(Math.Clamp((DurableInterval - pending.Age).Ticks, 0, IdlePoll.Ticks));
                var batch = Poll(consumer, wait, stoppingToken);
                if (batch.Count > 0)
                {
                    await HandleBatchAsync(batch, stoppingToken);
                    pending.Add(batch);
                    metrics.Consumed(Topic, batch.Count);
                }
                if (inFlight is { Write.IsCompleted: true } || (inFlight is not null && pending.Batches >= MaxBatchesAhead))
                {
                    await Complete(consumer, inFlight);
                    inFlight = null;
                }
                // Write when the interval is up, or at once when the consumer has caught up (a batch short of the
                // maximum): under load writes group many batches, when quiet nothing waits for the interval.
                if (inFlight is null && pending.Batches > 0 && (batch.Count < options.MaxBatch || pending.Age >= DurableInterval))
                {
                    var first = pending.First!;
                    var offsets = pending.Take();
                    inFlight = new InFlight(RetryAsync(first, () => BeforeCommitAsync(stoppingToken), stoppingToken), offsets);
                    if (DurableInterval == TimeSpan.Zero)
                    {
                        await Complete(consumer, inFlight);
                        inFlight = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await MakeDurableOnStop(consumer, inFlight, pending);
            consumer.Close();
        }
    }

    /// <summary>A durable write under way and the offsets it covers.</summary>
    private sealed record InFlight(Task Write, Covered Offsets);

    /// <summary>Offsets to commit and how many messages they cover.</summary>
    private sealed record Covered(IReadOnlyList<TopicPartitionOffset> Offsets, int Messages);

    private async Task Complete(IConsumer<string, byte[]> consumer, InFlight inFlight)
    {
        await inFlight.Write;
        Commit(consumer, inFlight.Offsets);
    }

    /// <summary>On shutdown what was handled is still written and committed, so a restart does not redo it.</summary>
    private async Task MakeDurableOnStop(IConsumer<string, byte[]> consumer, InFlight? inFlight, PendingOffsets pending)
    {
        try
        {
            if (inFlight is not null) await Complete(consumer, inFlight);
            if (pending.Batches == 0) return;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await BeforeCommitAsync(timeout.Token);
            Commit(consumer, pending.Take());
        }
        catch (Exception e)
        {
            // Uncommitted messages are redelivered after the restart; handlers are idempotent.
            log.LogWarning(e, "Could not make the last batches of {Topic} durable on shutdown; they will be redelivered", Topic);
        }
    }

    private void Commit(IConsumer<string, byte[]> consumer, Covered covered)
    {
        try
        {
            consumer.Commit(covered.Offsets);
            metrics.Committed(Topic, covered.Messages);
        }
        catch (KafkaException e)
        {
            // E.g. a rebalance took the partition away: its new owner redelivers, and handlers are idempotent.
            log.LogWarning(e, "Committing offsets on {Topic} failed; the messages will be redelivered", Topic);
        }
        RecordLag(consumer);
    }

    /// <summary>The next offset to commit per partition for the batches handled since the last durable write began.</summary>
    private sealed class PendingOffsets
    {
        private Dictionary<TopicPartition, long> _next = [];
        private long _since;

        private int _messages;

        public int Batches { get; private set; }
        public ConsumeResult<string, byte[]>? First { get; private set; }
        public TimeSpan Age => Batches == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(_since);

        public void Add(List<ConsumeResult<string, byte[]>> batch)
        {
            if (Batches++ == 0)
            {
                _since = System.Diagnostics.Stopwatch.GetTimestamp();
                First = batch[0];
            }
            _messages += batch.Count;
            foreach (var m in batch)
                if (!_next.TryGetValue(m.TopicPartition, out var next) || m.Offset.Value + 1 > next) _next[m.TopicPartition] = m.Offset.Value + 1;
        }

        public Covered Take()
        {
            var covered = new Covered(_next.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList(), _messages);
            _next = [];
            _messages = 0;
            Batches = 0;
            First = null;
            return covered;
        }
    }

    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(10);

    private List<ConsumeResult<string, byte[]>> Poll(IConsumer<string, byte[]> consumer, TimeSpan wait, CancellationToken ct)
    {
        var batch = new List<ConsumeResult<string, byte[]>>();
        var first = consumer.Consume(wait);
        ct.ThrowIfCancellationRequested();
        if (first is null || first.IsPartitionEOF) return batch;
        batch.Add(first);
        while (batch.Count < options.MaxBatch && consumer.Consume(TimeSpan.Zero) is { IsPartitionEOF: false } next) batch.Add(next);
        return batch;
    }

    /// <summary>Runs once per batch before its keys are handled (e.g. to look up everything the batch needs in one go).</summary>
    protected virtual Task BeforeBatchAsync(IReadOnlyList<ConsumeResult<string, byte[]>> batch, CancellationToken ct) => Task.CompletedTask;

    private async Task HandleBatchAsync(List<ConsumeResult<string, byte[]>> batch, CancellationToken ct)
    {
        _deadLettered.Clear();
        await RetryAsync(batch[0], () => BeforeBatchAsync(batch, ct), ct);
        await Task.WhenAll(batch.GroupBy(m => (m.Topic, m.Message.Key)).Select(byKey => HandleKeyIsolatingPoisonAsync(byKey.ToList(), ct)));
    }

    /// <summary>A key whose handling fails the same deterministic way this many times is handled message by message.</summary>
    public const int PoisonAttempts = 5;

    /// <summary>
    /// Handles one key's messages. A failure that input can cause (<see cref="PoisonFailure.Is"/>) and that
    /// repeats <see cref="PoisonAttempts"/> times is a poison message, not an outage: the messages are then
    /// handled one by one (handlers are idempotent) and the one that keeps failing goes to the dead-letter
    /// topic with the error, so it no longer holds up its key, its partition or the group. Any other
    /// failure (the store, a silo, the broker) is retried until it passes: nothing is skipped for an outage.
    /// </summary>
    private async Task HandleKeyIsolatingPoisonAsync(List<ConsumeResult<string, byte[]>> messages, CancellationToken ct)
    {
        if (await RetryAsync(messages[0], () => HandleKeyAsync(messages, ct), ct, PoisonAttempts) is null) return;
        foreach (var message in messages)
        {
            if (await RetryAsync(message, () => HandleKeyAsync([message], ct), ct, PoisonAttempts) is not { } poison) continue;
            log.LogError(poison, "Dead-lettering {Topic}[{Partition}]@{Offset} (key {Key}): its effect failed {Attempts} times the same way",
                message.Topic, message.Partition.Value, message.Offset.Value, message.Message.Key, PoisonAttempts);
            // The broker may be away too: retried like any effect, so the loop never faults on it.
            await RetryAsync(message, () => DeadLetterOnceAsync(message, PoisonFailure.Code, PoisonFailure.Describe(poison), ct), ct);
        }
    }

    /// <summary>Messages of the current batch already dead-lettered: a key handled again (a retry, or one by one) sends each once.</summary>
    private readonly ConcurrentDictionary<(string Topic, int Partition, long Offset), byte> _deadLettered = new();

    private async Task DeadLetterOnceAsync(ConsumeResult<string, byte[]> message, string code, string reason, CancellationToken ct)
    {
        var id = (message.Topic, message.Partition.Value, message.Offset.Value);
        if (_deadLettered.ContainsKey(id)) return;
        await deadLetters.SendAsync(message, code, reason, ct);
        _deadLettered.TryAdd(id, 0);
    }

    /// <summary>Makes the batch's effects durable before its offsets are committed; throw to retry.</summary>
    protected virtual Task BeforeCommitAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Applies the messages of one key, in offset order. Bad input is dead-lettered (see
    /// <see cref="HandleEachAsync"/>); throw only for transient failures: the key is then retried.
    /// </summary>
    protected abstract Task HandleKeyAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages, CancellationToken ct);

    /// <summary>As the asynchronous overload, for handlers that finish at once (no task per message).</summary>
    protected async Task HandleEachAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages,
        Func<ConsumeResult<string, byte[]>, CloudEvent, Handled> handle, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            var (ce, error) = CloudEvent.FromHeaders(message.Message.Headers);
            var handled = ce is null ? Handled.Refuse("invalid_headers", error!) : handle(message, ce);
            if (handled.DeadLetterCode is { } code) await DeadLetterOnceAsync(message, code, handled.Reason!, ct);
        }
    }

    /// <summary>Checks each message's CloudEvents headers, runs <paramref name="handle"/>, dead-letters what it refuses.</summary>
    protected async Task HandleEachAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages,
        Func<ConsumeResult<string, byte[]>, CloudEvent, Task<Handled>> handle, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            var (ce, error) = CloudEvent.FromHeaders(message.Message.Headers);
            var handled = ce is null ? Handled.Refuse("invalid_headers", error!) : await handle(message, ce);
            if (handled.DeadLetterCode is { } code) await DeadLetterOnceAsync(message, code, handled.Reason!, ct);
        }
    }

    /// <summary>
    /// Handlers are idempotent, so a failed key is simply handled again. Null once it passes; with
    /// <paramref name="poisonAfter"/>, the error once that many attempts failed as poison does.
    /// </summary>
    private async Task<Exception?> RetryAsync(ConsumeResult<string, byte[]> first, Func<Task> handle, CancellationToken ct, int? poisonAfter = null)
    {
        var poisoned = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handle();
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (poisonAfter is { } limit && PoisonFailure.Is(e) && ++poisoned >= limit) return e;
                // Transient (a grain, the store or the broker): retry with backoff, never skip.
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(attempt, 6))));
                log.LogWarning(e, "Handling {Topic}[{Partition}]@{Offset} (key {Key}) failed (attempt {Attempt}); retrying in {Delay}",
                    first.Topic, first.Partition.Value, first.Offset.Value, first.Message.Key, attempt, delay);
                await Task.Delay(delay, ct);
            }
        }
    }

    private void RecordLag(IConsumer<string, byte[]> consumer)
    {
        foreach (var tp in consumer.Assignment)
        {
            var watermarks = consumer.GetWatermarkOffsets(tp);
            var position = consumer.Position(tp);
            if (watermarks.High.Value >= 0 && position.Value >= 0)
                metrics.Lag($"{tp.Topic}[{tp.Partition.Value}]", Math.Max(0, watermarks.High.Value - position.Value));
        }
    }
}
