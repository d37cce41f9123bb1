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


    /// <summary>Per-topic consumer settings (e.g. latency over fetch efficiency).</summary>
    protected virtual void Configure(ConsumerConfig config, KafkaOptions settings)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var config = kafka.ConsumerConfig(options.GroupId);
        Configure(config, options);
        using var consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, e) => log.LogWarning("Kafka consumer ({Topic}): {Reason}", Topic, e.Reason))
            .Build();
        consumer.Subscribe(Topic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var batch = Poll(consumer, stoppingToken);
                if (batch.Count == 0) continue;
                await HandleBatchAsync(batch, stoppingToken);
                await RetryAsync(batch[0], () => BeforeCommitAsync(stoppingToken), stoppingToken);
                try
                {
                    consumer.Commit(batch.GroupBy(m => m.TopicPartition)
                        .Select(g => new TopicPartitionOffset(g.Key, g.Max(m => m.Offset.Value) + 1)));
                }
                catch (KafkaException e)
                {
                    // E.g. a rebalance took the partition away: its new owner redelivers, and handlers are idempotent.
                    log.LogWarning(e, "Committing offsets on {Topic} failed; the messages will be redelivered", Topic);
                }
                metrics.Consumed(Topic, batch.Count);
                RecordLag(consumer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    private List<ConsumeResult<string, byte[]>> Poll(IConsumer<string, byte[]> consumer, CancellationToken ct)
    {
        var batch = new List<ConsumeResult<string, byte[]>>();
        var first = consumer.Consume(TimeSpan.FromMilliseconds(250));
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
        await RetryAsync(batch[0], () => BeforeBatchAsync(batch, ct), ct);
        await Task.WhenAll(batch.GroupBy(m => (m.Topic, m.Message.Key))
            .Select(byKey => RetryAsync(byKey.First(), () => HandleKeyAsync(byKey.ToList(), ct), ct)));
    }

    /// <summary>Makes the batch's effects durable before its offsets are committed; throw to retry.</summary>
    protected virtual Task BeforeCommitAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Applies the messages of one key, in offset order. Bad input is dead-lettered (see
    /// <see cref="HandleEachAsync"/>); throw only for transient failures: the key is then retried.
    /// </summary>
    protected abstract Task HandleKeyAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages, CancellationToken ct);

    /// <summary>Checks each message's CloudEvents headers, runs <paramref name="handle"/>, dead-letters what it refuses.</summary>
    protected async Task HandleEachAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages,
        Func<ConsumeResult<string, byte[]>, CloudEvent, Task<Handled>> handle, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            var (ce, error) = CloudEvent.FromHeaders(message.Message.Headers);
            var handled = ce is null ? Handled.Refuse("invalid_headers", error!) : await handle(message, ce);
            if (handled.DeadLetterCode is { } code) await deadLetters.SendAsync(message, code, handled.Reason!, ct);
        }
    }

    /// <summary>Handlers are idempotent, so a failed key is simply handled again.</summary>
    private async Task RetryAsync(ConsumeResult<string, byte[]> first, Func<Task> handle, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handle();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
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
