using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Topics;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.Outbox;

namespace Vpp.Messaging.Outbox;

/// <summary>One outgoing message: where it goes and what it says.</summary>
public sealed record OutgoingMessage(string Topic, string Key, string CeType, object Payload);

/// <summary>Event → utility-facing message (docs/kafka-topics.md): the dispatch lifecycle, keyed by requestId.</summary>
public static class DispatchMessages
{
    public static OutgoingMessage? From(object e) => e switch
    {
        DispatchRequested r => Out(r.RequestId, MessageTypes.DispatchReceived, new
        {
            requestId = r.RequestId, status = "received", region = r.Region, startsAt = r.StartsAt, endsAt = r.EndsAt,
            powerKw = r.PowerKw, priority = r.Priority, receivedAt = r.At,
        }),
        DispatchAccepted a => Out(a.RequestId, MessageTypes.DispatchAccepted, new
        {
            requestId = a.RequestId, status = "accepted", acceptedKw = a.AcceptedKw, reason = a.Reason, decidedAt = a.At,
        }),
        DispatchRejected r => Out(r.RequestId, MessageTypes.DispatchRejected, new
        {
            requestId = r.RequestId, status = "rejected", reason = r.Reason, decidedAt = r.At,
        }),
        DispatchStarted s => Out(s.RequestId, MessageTypes.DispatchStarted, new
        {
            requestId = s.RequestId, status = "started", sites = s.Allocations.Count, allocatedKw = s.Allocations.Values.Sum(), startedAt = s.At,
        }),
        DispatchDeliveryReported d => Out(d.RequestId, MessageTypes.DispatchDelivery, new
        {
            requestId = d.RequestId, status = "delivery", intervalStart = d.From, intervalEnd = d.To, targetKw = d.TargetKw,
            deliveredKw = d.DeliveredKw, sitesMeasured = d.SitesMeasured,
        }),
        DispatchCompleted c => Out(c.RequestId, MessageTypes.DispatchCompleted, new
        {
            requestId = c.RequestId, status = "completed", requestedKwh = c.RequestedKwh, acceptedKwh = c.AcceptedKwh,
            deliveredKwh = c.DeliveredKwh, endedEarly = c.EndedEarly, reason = c.Reason, completedAt = c.At,
        }),
        DispatchCancelled c => Out(c.RequestId, MessageTypes.DispatchCancelled, new
        {
            requestId = c.RequestId, status = "cancelled", reason = c.Reason, cancelledAt = c.At,
        }),
        _ => null,
    };

    private static OutgoingMessage Out(string requestId, string type, object payload) => new(KafkaTopics.Dispatch, requestId, type, payload);
}

/// <summary>Event → market message (docs/kafka-topics.md), keyed by "{region}/{day}" so one day's messages stay in order.</summary>
public static class MarketMessages
{
    public static OutgoingMessage? From(object e) => e switch
    {
        ScheduleBuilt s => Out(s, MessageTypes.MarketScheduleBuilt, new
        {
            market = s.Market, region = s.Region, day = s.Day, sites = s.Sites, usableKwh = s.UsableKwh, initialKwh = s.InitialKwh,
            maxChargeKw = s.MaxChargeKw, maxDischargeKw = s.MaxDischargeKw, expectedProfitEur = s.ExpectedProfitEur, priceForecast = s.PriceForecast,
            dayStartKwh = s.DayStartKwh ?? s.InitialKwh, baselineForecast = s.BaselineForecast ?? "none",
            products = s.Products.Select(p => new
            {
                index = p.ProductIndex, start = p.Start, end = p.End, forecastEurPerMwh = p.ForecastEurPerMwh, scheduledKw = p.ScheduledKw,
                reserveKw = p.ReserveKw, baselineKw = p.BaselineKw,
            }),
            builtAt = s.At,
        }),
        BidSubmitted b => Out(b, MessageTypes.MarketBidSubmitted, new
        {
            market = b.Market, region = b.Region, day = b.Day,
            curves = b.Curves.Select(c => new { productIndex = c.ProductIndex, steps = c.Steps.Select(x => new { priceEurPerMwh = x.PriceEurPerMwh, quantityKw = x.QuantityKw }) }),
            submittedAt = b.At,
        }),
        BidNotSubmitted n => Out(n, MessageTypes.MarketBidNotSubmitted, new { market = n.Market, region = n.Region, day = n.Day, reason = n.Reason, decidedAt = n.At }),
        BidAwarded a => Out(a, MessageTypes.MarketBidAwarded, new
        {
            market = a.Market, region = a.Region, day = a.Day,
            awards = a.Awards.Select(x => new { productIndex = x.ProductIndex, start = x.Start, end = x.End, awardedKw = x.AwardedKw, clearingPriceEurPerMwh = x.ClearingPriceEurPerMwh }),
            awardedAt = a.At,
        }),
        IntervalSettled s => Out(s, MessageTypes.MarketIntervalSettled, new
        {
            market = s.Market, region = s.Region, day = s.Day, productIndex = s.ProductIndex, start = s.Start, end = s.End, awardedKwh = s.AwardedKwh,
            deliveredKwh = s.DeliveredKwh, imbalanceKwh = s.ImbalanceKwh, marketEur = s.MarketEur, imbalanceEur = s.ImbalanceEur, sites = s.SiteEur.Count,
            note = s.Note, settledAt = s.At,
        }),
        _ => null,
    };

    private static OutgoingMessage Out(IMarketEvent e, string type, object payload) => new(KafkaTopics.Market, $"{e.Region}/{e.Day}", type, payload);
}

/// <summary>
/// Publishes outbox events to Kafka (idempotent producer, acks=all) with the event's stable id as
/// <c>ce_id</c>, and returns only when every message is acknowledged; failures are retried with
/// backoff, so an outage delays events and loses none. A retry after a lost acknowledgement can
/// repeat a message: consumers dedupe by <c>ce_id</c>.
/// </summary>
public sealed class KafkaOutboxSink(KafkaEndpoint kafka, KafkaOptions options, KafkaMetrics metrics, ILogger<KafkaOutboxSink> log) : IOutboxSink
{
    private static readonly JsonSerializerOptions Json = SnapshotJson.Options;

    public async Task PublishAsync(IReadOnlyList<OutboxEvent> events, CancellationToken ct)
    {
        var pending = events.Select(e => (Event: e, Message: DispatchMessages.From(e.Data) ?? MarketMessages.From(e.Data))).Where(x => x.Message is not null).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var sends = pending.Select(p => (p, Task: Send(p.Event, p.Message!, ct))).ToList();
            var failed = new List<(OutboxEvent, OutgoingMessage?)>();
            foreach (var (p, task) in sends)
            {
                try
                {
                    await task;
                }
                catch (ProduceException<string, byte[]> e)
                {
                    failed.Add(p);
                    if (failed.Count == 1) log.LogWarning("Publishing to Kafka failed ({Reason}); {Count} events wait and are retried", e.Error.Reason, pending.Count);
                }
            }
            metrics.Published(pending.Count - failed.Count);
            pending = failed;
            if (pending.Count > 0) await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 200 * attempt)), ct);
        }
    }

    private Task<DeliveryResult<string, byte[]>> Send(OutboxEvent e, OutgoingMessage m, CancellationToken ct)
    {
        var ce = new CloudEvent(e.Id.ToString(), m.CeType, options.Source, e.At, Subject: e.StreamKey);
        return kafka.Producer.ProduceAsync(m.Topic,
            new Message<string, byte[]> { Key = m.Key, Value = JsonSerializer.SerializeToUtf8Bytes(m.Payload, Json), Headers = ce.ToHeaders() }, ct);
    }
}

/// <summary>Drains the in-memory store's outbox into the sink (the durable store uses a Marten subscription instead).</summary>
public sealed class InMemoryOutboxPublisher(InMemoryOutbox outbox, IOutboxSink sink) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await outbox.Reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<OutboxEvent>();
                while (batch.Count < 500 && outbox.Reader.TryRead(out var e)) batch.Add(e);
                await sink.PublishAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
