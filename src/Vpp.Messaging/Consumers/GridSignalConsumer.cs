using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Sites;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Topics;
using Vpp.Protocol;
using Vpp.Protocol.GridSignals;

namespace Vpp.Messaging.Consumers;

/// <summary>
/// <c>vpp.grid-signals.v1</c> (key = region) → the grain each signal is for: frequency → the
/// region's grid grain; dispatch-request → the request's dispatch grain (event-sourced); operating
/// envelope → the site's grain (event-sourced). Redelivery has no second effect: a dispatch request
/// is idempotent by content, an envelope by ce_id, a frequency reading by ts.
/// </summary>
public sealed class GridSignalConsumer(KafkaEndpoint kafka, KafkaOptions options, DeadLetters deadLetters, KafkaMetrics metrics,
    IGrainFactory grains, IClock clock, ILogger<GridSignalConsumer> log)
    : BatchConsumer(kafka, options, deadLetters, metrics, log)
{
    protected override string Topic => KafkaTopics.GridSignals;

    /// <summary>Its consumer group's name after <see cref="KafkaOptions.GroupId"/>.</summary>
    public const string Group = "grid-signals";

    protected override string GroupName => Group;

    // Frequency signals are latency-critical and few: a short fetch wait costs little (see KafkaOptions).
    protected override void Configure(ConsumerConfig config, KafkaOptions settings) => config.FetchWaitMaxMs = settings.GridSignalsFetchWaitMs;

    protected override Task HandleKeyAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages, CancellationToken ct) =>
        HandleEachAsync(messages, HandleAsync, ct);

    private async Task<Handled> HandleAsync(ConsumeResult<string, byte[]> message, CloudEvent ce)
    {
        var key = message.Message.Key;
        if (string.IsNullOrEmpty(key)) return Handled.Refuse(ProtocolErrors.InvalidField, "The message key (region) is required.");
        var received = clock.GetCurrentInstant();
        var parsed = GridSignalParser.Parse(ce.Type, message.Message.Value ?? [], key, received);
        if (!parsed.Ok) return Handled.Refuse(parsed.ErrorCode!, parsed.Error!);

        switch (parsed.Signal)
        {
            case FrequencySignal f:
                await grains.GetGrain<IGridRegionGrain>(key).ReportFrequency(new FrequencyReading(f.Ts, f.Hz, received));
                return Handled.Ok;
            case DispatchRequestSignal d:
                var outcome = await grains.GetGrain<IDispatchGrain>(d.RequestId)
                    .Request(new DispatchRequest(d.RequestId, d.Region, d.StartsAt, d.EndsAt, d.PowerKw, d.Priority), ce.Id);
                return outcome == DispatchRequestOutcome.ConflictingId
                    ? Handled.Refuse("conflicting_request_id", $"requestId '{d.RequestId}' is already used by a different request.")
                    : Handled.Ok;
            case OperatingEnvelopeSignal e:
                var site = grains.GetGrain<ISiteGrain>(e.SiteId);
                if (await site.GetSettings() is null) return Handled.Refuse("unknown_site", $"No site '{e.SiteId}' is registered.");
                try
                {
                    await site.SetOperatingEnvelope(new OperatingEnvelope(e.ImportLimitKw, e.ExportLimitKw, e.ValidFrom, e.ValidUntil), ce.Id);
                }
                catch (ArgumentOutOfRangeException refused)
                {
                    // The site's own refusal (e.g. too many envelopes in force): a dead letter at once, not a poison retried.
                    return Handled.Refuse(ProtocolErrors.InvalidField, refused.Message);
                }
                return Handled.Ok;
            default:
                return Handled.Refuse(ProtocolErrors.UnknownType, "Unsupported grid signal.");
        }
    }
}
