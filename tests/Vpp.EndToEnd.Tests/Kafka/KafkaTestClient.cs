using Vpp.Tests.Shared;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using NodaTime;
using Vpp.Messaging.Contracts;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>A plain Confluent client, as another fleet or a utility would use.</summary>
public sealed class KafkaTestClient(string bootstrap) : IDisposable
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(
        new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All }).Build();

    public static CloudEvent Ce(string type, string? id = null) =>
        new(id ?? Guid.NewGuid().ToString("N"), type, "urn:test", SystemClock.Instance.GetCurrentInstant());

    public Task ProduceAsync(string topic, string key, object value, CloudEvent? ce) =>
        ProduceRawAsync(topic, key, JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions(JsonSerializerDefaults.Web)), ce?.ToHeaders());

    public async Task ProduceRawAsync(string topic, string key, byte[] value, Headers? headers) =>
        await _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers ?? [] });

    /// <summary>Reads a topic from the beginning with a fresh group until <paramref name="done"/> or the timeout.</summary>
    public List<ConsumeResult<string, byte[]>> ReadAll(string topic, Func<List<ConsumeResult<string, byte[]>>, bool> done, int timeoutMs = 20_000)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "test-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false, SessionTimeoutMs = 6_000,
        }).Build();
        consumer.Subscribe(topic);
        var seen = new List<ConsumeResult<string, byte[]>>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.ElapsedMilliseconds < timeoutMs && !done(seen))
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } r) seen.Add(r);
        consumer.Close();
        return seen;
    }

    /// <summary>Waits until <paramref name="group"/> has committed every message of the topic (all partitions).</summary>
    public async Task WaitForCommittedAsync(string group, string topic, int partitions, int timeoutMs = 20_000)
    {
        var end = End(topic, partitions);
        await Eventually.Value(() => Committed(group, topic, partitions), c => c >= end, timeoutMs);
    }

    /// <summary>Offsets the group has committed, summed over the topic's partitions.</summary>
    public long Committed(string group, string topic, int partitions)
    {
        using var probe = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build();
        return probe.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(5))
            .Sum(o => Math.Max(0, o.Offset.Value));
    }

    public long End(string topic, int partitions)
    {
        using var probe = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe" }).Build();
        return Enumerable.Range(0, partitions).Sum(p => probe.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value);
    }

    public static string Header(ConsumeResult<string, byte[]> r, string key) =>
        r.Message.Headers.TryGetLastBytes(key, out var b) ? Encoding.UTF8.GetString(b) : "";

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
