using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using NodaTime;
using Vpp.Persistence.Outbox;

namespace Vpp.Persistence.Postgres.Projections;

/// <summary>
/// The outbox: a Marten subscription over the published event types. The daemon (HotCold, one
/// active host) hands it pages in sequence order and records its progress only after it returns,
/// so events are published after they are durable, and a Kafka outage delays them without loss.
/// </summary>
public sealed class OutboxSubscription : SubscriptionBase
{
    private readonly IOutboxSink _sink;

    public OutboxSubscription(IOutboxSink sink)
    {
        _sink = sink;
        Name = "vpp-outbox";
        foreach (var type in OutboxEvents.Published) IncludeType(type);
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var events = page.Events
            .Where(e => OutboxEvents.IsPublished(e.Data))
            .Select(e => new OutboxEvent(e.Id, e.StreamKey ?? e.StreamId.ToString(), e.Data, Instant.FromDateTimeOffset(e.Timestamp)))
            .ToList();
        if (events.Count > 0) await _sink.PublishAsync(events, cancellationToken);
        return NullChangeListener.Instance;
    }
}
