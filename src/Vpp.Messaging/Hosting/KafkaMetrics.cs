using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Vpp.Messaging.Hosting;

/// <summary>Kafka counters and consumer lag (System.Diagnostics.Metrics, meter "Vpp.Kafka"); also shown in /api/diagnostics.</summary>
public sealed class KafkaMetrics
{
    public const string MeterName = "Vpp.Kafka";
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _committed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _published;
    private readonly ConcurrentDictionary<string, long> _consumedByTopic = new();
    private readonly ConcurrentDictionary<string, long> _committedByTopic = new();
    private readonly ConcurrentDictionary<string, long> _deadLetteredByTopic = new();
    private readonly ConcurrentDictionary<string, long> _lagByPartition = new();
    private long _publishedTotal;

    public KafkaMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _consumed = meter.CreateCounter<long>("vpp.kafka.consumed", description: "Messages handled, by topic");
        _committed = meter.CreateCounter<long>("vpp.kafka.committed", description: "Messages whose effects were made durable and offsets committed, by topic");
        _deadLettered = meter.CreateCounter<long>("vpp.kafka.dead_lettered", description: "Messages sent to vpp.deadletter.v1, by source topic");
        _published = meter.CreateCounter<long>("vpp.kafka.published", description: "Outbox events published");
        meter.CreateObservableGauge("vpp.kafka.consumer_lag", () =>
            _lagByPartition.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("partition", p.Key))),
            description: "High watermark minus position, per topic partition");
    }

    public void Consumed(string topic, int n)
    {
        _consumedByTopic.AddOrUpdate(topic, n, (_, v) => v + n);
        _consumed.Add(n, new KeyValuePair<string, object?>("topic", topic));
    }

    public void Committed(string topic, int n)
    {
        _committedByTopic.AddOrUpdate(topic, n, (_, v) => v + n);
        _committed.Add(n, new KeyValuePair<string, object?>("topic", topic));
    }

    public void DeadLettered(string topic)
    {
        _deadLetteredByTopic.AddOrUpdate(topic, 1, (_, v) => v + 1);
        _deadLettered.Add(1, new KeyValuePair<string, object?>("topic", topic));
    }

    public void Published(int n)
    {
        Interlocked.Add(ref _publishedTotal, n);
        _published.Add(n);
    }

    public void Lag(string topicPartition, long lag) => _lagByPartition[topicPartition] = lag;

    public IReadOnlyDictionary<string, long> ConsumedByTopic => _consumedByTopic;
    public IReadOnlyDictionary<string, long> CommittedByTopic => _committedByTopic;
    public IReadOnlyDictionary<string, long> DeadLetteredByTopic => _deadLetteredByTopic;
    public IReadOnlyDictionary<string, long> LagByPartition => _lagByPartition;
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);
}
