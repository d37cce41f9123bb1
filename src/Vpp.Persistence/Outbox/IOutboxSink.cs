using NodaTime;

namespace Vpp.Persistence.Outbox;

/// <summary>An appended event on its way out: <see cref="Id"/> is stable and becomes the CloudEvents id.</summary>
public sealed record OutboxEvent(Guid Id, string StreamKey, object Data, Instant At);

/// <summary>
/// Where events that outside parties rely on go after they are appended (the Kafka publisher).
/// The store calls it from a tracked position and moves on only when it returns, so a sink that is
/// down delays events and loses none. Implementations retry until they succeed or are cancelled.
/// </summary>
public interface IOutboxSink
{
    Task PublishAsync(IReadOnlyList<OutboxEvent> events, CancellationToken ct);
}

public static class OutboxEvents
{
    /// <summary>Event types that are published: the dispatch lifecycle (not the internal re-allocations) and the market days' decisions.</summary>
    public static readonly IReadOnlyList<Type> Published =
    [
        typeof(Events.DispatchRequested), typeof(Events.DispatchAccepted), typeof(Events.DispatchRejected), typeof(Events.DispatchStarted),
        typeof(Events.DispatchDeliveryReported), typeof(Events.DispatchCompleted), typeof(Events.DispatchCancelled),
        typeof(Events.ScheduleBuilt), typeof(Events.BidSubmitted), typeof(Events.BidNotSubmitted), typeof(Events.BidAwarded), typeof(Events.IntervalSettled),
    ];

    public static bool IsPublished(object e) => Published.Contains(e.GetType());
}
