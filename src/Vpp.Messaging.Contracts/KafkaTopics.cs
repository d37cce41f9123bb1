namespace Vpp.Messaging.Contracts;

/// <summary>The public topics (docs/kafka-topics.md). Versioned names: a breaking change is a new topic.</summary>
public static class KafkaTopics
{
    public const string Telemetry = "vpp.telemetry.v1";
    public const string GridSignals = "vpp.grid-signals.v1";
    public const string Dispatch = "vpp.dispatch.v1";
    public const string DeadLetter = "vpp.deadletter.v1";
    public const string Market = "vpp.market.v1";
}

/// <summary>CloudEvents types (ce_type) of every message, with their schema version.</summary>
public static class MessageTypes
{
    public const string Telemetry = "vpp.telemetry.v1";
    public const string Frequency = "vpp.grid.frequency.v1";
    public const string DispatchRequest = "vpp.grid.dispatch-request.v1";
    public const string OperatingEnvelope = "vpp.grid.operating-envelope.v1";
    public const string DispatchReceived = "vpp.dispatch.received.v1";
    public const string DispatchAccepted = "vpp.dispatch.accepted.v1";
    public const string DispatchRejected = "vpp.dispatch.rejected.v1";
    public const string DispatchStarted = "vpp.dispatch.started.v1";
    public const string DispatchDelivery = "vpp.dispatch.delivery.v1";
    public const string DispatchCompleted = "vpp.dispatch.completed.v1";
    public const string DispatchCancelled = "vpp.dispatch.cancelled.v1";
    public const string MarketScheduleBuilt = "vpp.market.schedule-built.v1";
    public const string MarketBidSubmitted = "vpp.market.bid-submitted.v1";
    public const string MarketBidNotSubmitted = "vpp.market.bid-not-submitted.v1";
    public const string MarketBidAwarded = "vpp.market.bid-awarded.v1";
    public const string MarketIntervalSettled = "vpp.market.interval-settled.v1";
}
