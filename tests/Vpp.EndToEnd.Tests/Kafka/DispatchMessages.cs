using System.Text.Json;
using Confluent.Kafka;
using NodaTime;
using Vpp.Persistence.EventStore;

namespace Vpp.EndToEnd.Tests.Kafka;

// The vpp.dispatch.v1 messages as docs/kafka-topics.md describes them (the producer writes anonymous
// objects); a field renamed, missing or added there fails the read with its name.

internal sealed record DispatchReceivedMessage(string RequestId, string Status, string Region, Instant StartsAt, Instant EndsAt, double PowerKw,
    int Priority, Instant ReceivedAt);

internal sealed record DispatchAcceptedMessage(string RequestId, string Status, double AcceptedKw, Instant DecidedAt, string? Reason = null);

internal sealed record DispatchRejectedMessage(string RequestId, string Status, string Reason, Instant DecidedAt);

internal sealed record DispatchStartedMessage(string RequestId, string Status, int Sites, double AllocatedKw, Instant StartedAt);

internal sealed record DispatchDeliveryMessage(string RequestId, string Status, Instant IntervalStart, Instant IntervalEnd, double TargetKw,
    double DeliveredKw, int SitesMeasured);

internal sealed record DispatchCompletedMessage(string RequestId, string Status, double RequestedKwh, double AcceptedKwh, double DeliveredKwh,
    bool EndedEarly, Instant CompletedAt, string? Reason = null);

internal sealed record DispatchCancelledMessage(string RequestId, string Status, string Reason, Instant CancelledAt);

internal static class KafkaViews
{
    /// <summary>The producer's JSON options (the outbox writes with the event store's), read strictly.</summary>
    private static readonly JsonSerializerOptions Json = ApiViews.Strict(SnapshotJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    public static T Body<T>(this ConsumeResult<string, byte[]> message) =>
        JsonSerializer.Deserialize<T>(message.Message.Value, Json) ?? throw new JsonException($"A {typeof(T).Name} of null.");
}
