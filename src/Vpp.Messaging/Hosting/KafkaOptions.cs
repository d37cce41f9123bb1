using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;

namespace Vpp.Messaging.Hosting;

/// <summary>Kafka settings (section "Kafka"); every key is in docs/configuration.md.</summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>Real brokers. Empty: an embedded mock cluster is started in-process (development only).</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Fixed local port of the embedded cluster, for kcat and other tools; 0 = a random port (tests).</summary>
    public int EmbeddedPort { get; set; } = 19092;

    /// <summary>
    /// Prefix of this service's consumer groups: one group per inbound topic (<see cref="ConsumerGroup"/>),
    /// so a rebalance of the telemetry consumers never pauses grid signals (and a consumer joining late
    /// does not wait for the other's group to settle).
    /// </summary>
    public string GroupId { get; set; } = "vpp";

    /// <summary>The consumer group of one consumer, e.g. <c>vpp.grid-signals</c>.</summary>
    public string ConsumerGroup(string consumer) => $"{GroupId}.{consumer}";

    /// <summary>Identifies this deployment in CloudEvents <c>ce_source</c>.</summary>
    public string Source { get; set; } = "urn:vpp:host";

    /// <summary>
    /// fetch.wait.max.ms of the grid-signals consumer: how long a fetch may wait on an idle partition.
    /// Real brokers answer a waiting fetch as soon as data arrives; librdkafka's mock cluster does not,
    /// so on the embedded cluster this bounds the latency of every frequency signal.
    /// </summary>
    public int GridSignalsFetchWaitMs { get; set; } = 10;

    /// <summary>Most messages handled per batch before offsets are committed.</summary>
    public int MaxBatch { get; set; } = 500;

    /// <summary>
    /// How often the telemetry consumer writes the history of handled batches and then commits their
    /// offsets; handling goes on meanwhile. Smaller: fewer messages redelivered after a crash; larger:
    /// fewer, larger writes. 0: write and commit after every batch, before the next poll.
    /// </summary>
    public int TelemetryCommitIntervalMs { get; set; } = 250;

    /// <summary>Create missing topics through the admin API at start-up (real brokers only; the embedded one always has them).</summary>
    public bool ProvisionTopics { get; set; } = true;

    /// <summary>Replication of every topic unless a topic says otherwise (1 for a single-broker development cluster).</summary>
    public short ReplicationFactor { get; set; } = 3;

    public bool ConsumeTelemetry { get; set; } = true;
    public bool ConsumeGridSignals { get; set; } = true;
    public bool PublishDispatch { get; set; } = true;

    /// <summary>Provisioned through the admin API on real brokers; created directly on the embedded one.</summary>
    public Dictionary<string, TopicSpec> Topics { get; set; } = new()
    {
        [KafkaTopics.Telemetry] = new TopicSpec { Partitions = 12 },
        [KafkaTopics.GridSignals] = new TopicSpec { Partitions = 3 },
        [KafkaTopics.Dispatch] = new TopicSpec { Partitions = 3, RetentionHours = 24 * 30 },
        [KafkaTopics.DeadLetter] = new TopicSpec { Partitions = 1, RetentionHours = 24 * 14 },
        [KafkaTopics.Market] = new TopicSpec { Partitions = 3, RetentionHours = 24 * 90 },
    };

    public bool Embedded => string.IsNullOrWhiteSpace(BootstrapServers);

    /// <summary>Authentication and encryption towards real brokers (docs/kafka-topics.md#security).</summary>
    public KafkaSecurity Security { get; set; } = new();
}

public sealed class TopicSpec
{
    public int Partitions { get; set; } = 3;
    /// <summary>Null: <see cref="KafkaOptions.ReplicationFactor"/>.</summary>
    public short? ReplicationFactor { get; set; }
    public double RetentionHours { get; set; } = 24 * 7;
}
