using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Vpp.Messaging.Embedded;

namespace Vpp.Messaging.Hosting;

/// <summary>
/// Where Kafka is: the configured brokers, or the embedded mock cluster started on first use
/// (and disposed with the host). Also owns the one shared producer: idempotent, acks=all.
/// </summary>
public sealed class KafkaEndpoint : IDisposable
{
    private readonly Lazy<IProducer<string, byte[]>> _producer;

    public KafkaEndpoint(KafkaOptions options, ILogger<KafkaEndpoint> log)
    {
        if (options.Embedded)
        {
            Embedded = MockKafkaCluster.Start(brokers: 1, fixedPort: options.EmbeddedPort > 0 ? options.EmbeddedPort : null);
            log.LogWarning("EMBEDDED KAFKA: no Kafka:BootstrapServers configured, so an in-process mock cluster serves "
                + "{Bootstrap} (development only: nothing survives a restart). Try: kcat -b {Bootstrap} -C -t vpp.dispatch.v1",
                Embedded.BootstrapServers, Embedded.BootstrapServers);
        }
        BootstrapServers = Embedded?.BootstrapServers ?? options.BootstrapServers;
        _security = Embedded is null ? options.Security : new KafkaSecurity();
        _producer = new(() => new ProducerBuilder<string, byte[]>(_security.ApplyTo(new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            // A delivery that cannot complete in time is reported as failed; the outbox retries it.
            MessageTimeoutMs = 30_000,
        })).Build());
    }

    public string BootstrapServers { get; }
    public MockKafkaCluster? Embedded { get; }
    public IProducer<string, byte[]> Producer => _producer.Value;

    private readonly KafkaSecurity _security;

    public ConsumerConfig ConsumerConfig(string groupId) => _security.ApplyTo(new ConsumerConfig
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 6_000,
        IsolationLevel = IsolationLevel.ReadCommitted,
    });

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(5));
            _producer.Value.Dispose();
        }
        Embedded?.Dispose();
    }
}
