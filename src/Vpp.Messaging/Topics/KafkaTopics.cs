namespace Vpp.Messaging.Topics;

/// <summary>The public topics (docs/kafka-topics.md). Versioned names: a breaking change is a new topic.</summary>
public static class KafkaTopics
{
    public const string Telemetry = "vpp.telemetry.v1";
    public const string GridSignals = "vpp.grid-signals.v1";
    public const string Dispatch = "vpp.dispatch.v1";
    public const string DeadLetter = "vpp.deadletter.v1";
}
