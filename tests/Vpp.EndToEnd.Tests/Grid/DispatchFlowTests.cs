extern alias sim;
using System.Net;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.ReadModels;
using Vpp.Protocol.GridSignals;
using sim::Vpp.Simulators.Fleet;
using Vpp.EndToEnd.Tests.Kafka;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Grid;

/// <summary>
/// Utility dispatch end to end: a request on Kafka or REST → decision → setpoints on simulated
/// devices over WebSockets → delivery measured against baselines → lifecycle on vpp.dispatch.v1.
/// Short windows and intervals so that a run takes seconds, not hours.
/// </summary>
public sealed class DispatchFlowTests : IAsyncLifetime
{
    private readonly ConfiguredVppHost _host = new(new Dictionary<string, string>
    {
        ["Vpp:Grid:BaselineWindowSeconds"] = "3",
        ["Vpp:Grid:DeliveryIntervalSeconds"] = "4",
        ["Vpp:Grid:TraceBucketSeconds"] = "0.5",
        ["Vpp:Grid:TraceRetentionMinutes"] = "2",
        ["Vpp:Grid:AckTimeoutSeconds"] = "3",
    });

    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Task<RegionFlexibility> Flexibility(HttpClient api, string region) => api.GetViewAsync<RegionFlexibility>($"/api/regions/{region}/flexibility");

    private static Task<DispatchView> Dispatch(HttpClient api, string id) => api.GetViewAsync<DispatchView>($"/api/dispatches/{id}");

    /// <summary>
    /// Three equal homes join <paramref name="homes"/> in <paramref name="region"/> and run a 6 kW dispatch of 60 s:
    /// 2 kW each on top of the 1 kW load their batteries cover. Returns the request id and its started view.
    /// </summary>
    private async Task<(string Id, DispatchView Started)> SixKwOnThreeHomes(HttpClient api, HomeGroup homes, string region)
    {
        for (var i = 0; i < 3; i++) homes.Add(await TestHome.StartAsync(_host, $"{region}-{i}", region));
        await Eventually.Until(() => Flexibility(api, region), f => f.Sites == 3, timeoutMs: 30_000);
        var id = region + "-" + Guid.NewGuid().ToString("N")[..8];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region, startsAt = Iso(Now + Duration.FromSeconds(1)), endsAt = Iso(Now + Duration.FromSeconds(60)), powerKw = 6.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var started = await Eventually.Until(() => Dispatch(api, id), v => v.Status == DispatchStatus.Started, timeoutMs: 20_000);
        await Eventually.Value(() => homes.Select(h => h.BatteryKw).ToArray(), kws => kws.All(kw => Math.Abs(kw - 3) < 1e-6), timeoutMs: 10_000);
        return (id, started);
    }

    [Fact]
    public async Task A_dispatch_request_on_kafka_becomes_setpoints_then_measured_delivery_then_a_completed_event_within_tolerance()
    {
        using var api = _host.Api();
        using var stop = new CancellationTokenSource();
        var fleet = new FleetRunner(new FleetOptions(_host.BaseAddress, VppHost.ApiKey, 6, "dra", "Europe/Berlin", 7, null, 500, "dr-a"),
            SystemClock.Instance, TextWriter.Null);
        var running = fleet.RunAsync(stop.Token);
        try
        {
            var flex = await Eventually.Until(() => Flexibility(api, "dr-a"), f => f.Sites == 6, timeoutMs: 60_000);
            flex.UpKw.Should().BeGreaterThan(8, "six homes with 3–5 kW batteries");
            // The baseline window's (3 s) worth of meter readings from every home: six homes, three devices, every 500 ms.
            var sent = fleet.TelemetrySent;
            await Eventually.Value(() => fleet.TelemetrySent, n => n >= sent + 6 * 3 * 8, timeoutMs: 30_000);

            var requestId = "dra-" + Guid.NewGuid().ToString("N")[..8];
            var startsAt = Now + Duration.FromSeconds(2);
            var endsAt = startsAt + Duration.FromSeconds(20);
            using var kafka = new KafkaTestClient(_host.Service<KafkaEndpoint>().BootstrapServers);
            await kafka.ProduceAsync(KafkaTopics.GridSignals, "dr-a",
                new { requestId, region = "dr-a", startsAt = Iso(startsAt), endsAt = Iso(endsAt), powerKw = 8.0, priority = 1 },
                KafkaTestClient.Ce(GridSignalParser.DispatchRequestType));

            var lifecycle = kafka.ReadAll(KafkaTopics.Dispatch,
                    r => r.Any(m => m.Message.Key == requestId && KafkaTestClient.Header(m, "ce_type") == MessageTypes.DispatchCompleted), timeoutMs: 90_000)
                .Where(m => m.Message.Key == requestId)
                .Select(m => (Type: KafkaTestClient.Header(m, "ce_type"), Message: m))
                .ToList();

            lifecycle.Select(m => m.Type).Distinct().Should().Equal(MessageTypes.DispatchReceived, MessageTypes.DispatchAccepted,
                MessageTypes.DispatchStarted, MessageTypes.DispatchDelivery, MessageTypes.DispatchCompleted);
            lifecycle.Single(m => m.Type == MessageTypes.DispatchAccepted).Message.Body<DispatchAcceptedMessage>().AcceptedKw.Should().Be(8);
            var started = lifecycle.Single(m => m.Type == MessageTypes.DispatchStarted).Message.Body<DispatchStartedMessage>();
            started.AllocatedKw.Should().BeApproximately(8, 1e-6);
            var deliveries = lifecycle.Where(m => m.Type == MessageTypes.DispatchDelivery).Select(m => m.Message.Body<DispatchDeliveryMessage>()).ToList();
            deliveries.Should().HaveCount(5, "a 20 s window in 4 s intervals");
            deliveries.Should().OnlyContain(d => d.SitesMeasured == started.Sites);

            // Stated tolerance: within 15 % of the requested energy. The first interval includes the
            // devices' reaction time (up to one 500 ms step) and the homes' loads vary at random.
            var completed = lifecycle.Single(m => m.Type == MessageTypes.DispatchCompleted).Message.Body<DispatchCompletedMessage>();
            var requestedKwh = completed.RequestedKwh;
            requestedKwh.Should().BeApproximately(8.0 * 20 / 3600, 1e-9);
            completed.DeliveredKwh.Should().BeApproximately(requestedKwh, requestedKwh * 0.15);
            completed.EndedEarly.Should().BeFalse();
            fleet.SetpointsReceived.Should().BeGreaterThanOrEqualTo(started.Sites);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task An_opt_out_during_an_event_releases_the_home_at_once_and_moves_its_share_to_the_others()
    {
        using var api = _host.Api();
        await using var homes = new HomeGroup();
        var (id, _) = await SixKwOnThreeHomes(api, homes, "dro");

        // Documented (grid-balancing.md): an opt-out during an event moves the share away at once.
        (await api.PostAsync($"/api/sites/dro-0/dispatches/{id}/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var view = await Eventually.Until(() => Dispatch(api, id), v => v.LostSites.Count == 1, timeoutMs: 10_000);
        view.LostSites[0].Should().Be("dro-0");
        view.Allocations.Should().NotContainKey("dro-0");
        view.Allocations.Values.Sum().Should().BeApproximately(6, 1e-6, "the opted-out 2 kW moved to the two other homes");
        await Eventually.Value(() => homes.Skip(1).Select(h => h.BatteryKw).ToArray(), kws => kws.All(kw => Math.Abs(kw - 4) < 1e-6), timeoutMs: 10_000);
        homes[0].LastSetpointReason.Should().Be("dispatch ended early", "the home is handed back its baseline at once");
        var events = (await _host.Service<IEventStore>().ReadAsync(StreamKeys.Dispatch(id), 0)).Events;
        events.OfType<DispatchReallocated>().Should().ContainSingle().Which.Reason.Should().Be("the homeowner opted out");
        (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { })).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_site_whose_battery_drops_mid_event_has_its_share_moved_to_the_others_within_seconds()
    {
        using var api = _host.Api();
        await using var homes = new HomeGroup();
        var (id, view) = await SixKwOnThreeHomes(api, homes, "drb");
        view.Allocations.Values.Should().AllSatisfy(kw => kw.Should().BeApproximately(2, 1e-6),
            "equal homes take equal shares");

        homes[0].DropBattery();
        view = await Eventually.Until(() => Dispatch(api, id), v => v.LostSites.Count == 1, timeoutMs: 10_000);
        view.LostSites[0].Should().Be("drb-0");
        var allocations = view.Allocations.ToDictionary();
        allocations.Should().NotContainKey("drb-0");
        allocations.Values.Sum().Should().BeApproximately(6, 1e-6, "the lost 2 kW moved to the two other homes");
        // Baseline 1 kW (covering the load) + 3 kW share each.
        await Eventually.Value(() => homes.Skip(1).Select(h => h.BatteryKw).ToArray(), kws => kws.All(kw => Math.Abs(kw - 4) < 1e-6), timeoutMs: 10_000);

        // Ending early: completed, flagged, and the batteries are released.
        (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { reason = "utility ended the event" })).StatusCode.Should().Be(HttpStatusCode.OK);
        view = await Dispatch(api, id);
        view.Status.Should().Be(DispatchStatus.Completed);
        view.Reason.Should().Be("utility ended the event");
        (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        // Documented (grid-balancing.md): flagged as ended early, its last interval measured up to the end, and each
        // battery sent its baseline (1 kW, covering the load) for a second.
        var events = (await _host.Service<IEventStore>().ReadAsync(StreamKeys.Dispatch(id), 0)).Events;
        var completed = events.OfType<DispatchCompleted>().Should().ContainSingle().Subject;
        completed.EndedEarly.Should().BeTrue();
        var last = events.OfType<DispatchDeliveryReported>().Last();
        last.To.Should().Be(completed.At, "the final partial interval runs to the end");
        (last.To - last.From).Should().BeLessThanOrEqualTo(Duration.FromSeconds(4));
        await Eventually.Value(() => homes.Skip(1).Select(h => (h.LastSetpointReason, h.BatteryKw)).ToArray(),
            r => r.All(x => x.LastSetpointReason == "dispatch ended early" && Math.Abs(x.BatteryKw - 1) < 1e-6));
    }

    [Theory]
    [InlineData("rejected", "rejected by the device: busy")]
    [InlineData(null, "not acknowledged within 3 s")]
    public async Task A_site_whose_device_rejects_or_never_acknowledges_its_setpoint_has_its_share_moved(string? answer, string reason)
    {
        using var api = _host.Api();
        var region = "dre-" + (answer ?? "silent");
        await using var homes = new HomeGroup();
        for (var i = 0; i < 3; i++) homes.Add(await TestHome.StartAsync(_host, $"{region}-{i}", region));
        homes[0].AnswerSetpointsWith = answer;
        await Eventually.Until(() => Flexibility(api, region), f => f.Sites == 3, timeoutMs: 30_000);

        var id = region + "-" + Guid.NewGuid().ToString("N")[..6];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region, startsAt = Iso(Now + Duration.FromSeconds(1)), endsAt = Iso(Now + Duration.FromSeconds(60)), powerKw = 6.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var view = await Eventually.Until(() => Dispatch(api, id), v => v.LostSites.Count == 1, timeoutMs: 15_000);
        view.LostSites[0].Should().Be($"{region}-0");
        view.Allocations.Values.Sum().Should().BeApproximately(6, 1e-6);
        await Eventually.Value(() => homes.Skip(1).Select(h => h.BatteryKw).ToArray(), kws => kws.All(kw => Math.Abs(kw - 4) < 1e-6), timeoutMs: 10_000);
        var timeline = (await api.GetViewAsync<ResultPage<TimelineEntryView>>($"/api/sites/{region}-0/timeline")).Items.Select(i => i.Summary).ToList();
        if (answer == "rejected") timeline.Should().Contain(s => s.Contains("rejected"), "the device's refusal is recorded");
        var events = (await _host.Service<IEventStore>().ReadAsync(StreamKeys.Dispatch(id), 0)).Events;
        events.OfType<DispatchReallocated>().Should().ContainSingle().Which.Reason.Should().Be($"battery {region}-0-bat: {reason}");
        (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { })).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Overlapping_requests_cannot_promise_the_same_kilowatts_twice_and_a_cancel_before_the_start_sends_nothing()
    {
        using var api = _host.Api();
        await using var homes = new HomeGroup();
        for (var i = 0; i < 2; i++) homes.Add(await TestHome.StartAsync(_host, $"drd-{i}", "dr-d"));
        await Eventually.Until(() => Flexibility(api, "dr-d"), f => f.Sites == 2, timeoutMs: 30_000);
        var first = "drd-a-" + Guid.NewGuid().ToString("N")[..6];
        var second = "drd-b-" + Guid.NewGuid().ToString("N")[..6];
        // Soon enough that a cancel which failed to stop the start would show within the test.
        var starts = Now + Duration.FromSeconds(20);
        foreach (var (id, from, until) in new[] { (first, starts, starts + Duration.FromMinutes(30)), (second, starts + Duration.FromMinutes(15), starts + Duration.FromMinutes(45)) })
            (await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region = "dr-d", startsAt = Iso(from), endsAt = Iso(until), powerKw = 6.0 }))
                .StatusCode.Should().Be(HttpStatusCode.Created);

        // Two homes, each 5 kW inverter already giving 1 kW: 8 kW up in all.
        (await Dispatch(api, first)).AcceptedKw.Should().BeApproximately(6, 1e-6);
        var partly = await Dispatch(api, second);
        partly.AcceptedKw.Should().BeApproximately(2, 1e-6);
        partly.Reason.Should().Contain("overlapping");
        (await Flexibility(api, "dr-d")).CommittedUpKw.Should().BeApproximately(8, 1e-6);

        foreach (var id in new[] { first, second })
        {
            (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { reason = "withdrawn" })).StatusCode.Should().Be(HttpStatusCode.OK);
            (await Dispatch(api, id)).Status.Should().Be(DispatchStatus.Cancelled);
        }
        (await Flexibility(api, "dr-d")).CommittedUpKw.Should().Be(0, "cancelled requests hold nothing");

        // Utilities see received → accepted → cancelled on vpp.dispatch.v1, with the documented CloudEvents headers.
        using (var kafka = new KafkaTestClient(_host.Service<KafkaEndpoint>().BootstrapServers))
        {
            var published = kafka.ReadAll(KafkaTopics.Dispatch,
                    r => r.Any(m => m.Message.Key == first && KafkaTestClient.Header(m, "ce_type") == MessageTypes.DispatchCancelled), timeoutMs: 30_000)
                .Where(m => m.Message.Key == first).ToList();
            published.Select(m => KafkaTestClient.Header(m, "ce_type")).Distinct()
                .Should().Equal(MessageTypes.DispatchReceived, MessageTypes.DispatchAccepted, MessageTypes.DispatchCancelled);
            published.Should().OnlyContain(m => KafkaTestClient.Header(m, "ce_source") == "urn:vpp:host"
                && KafkaTestClient.Header(m, "ce_subject") == "dispatch:" + first && KafkaTestClient.Header(m, "ce_specversion") == "1.0");
            var cancelled = published.Last(m => KafkaTestClient.Header(m, "ce_type") == MessageTypes.DispatchCancelled);
            var at = InstantPattern.ExtendedIso.Parse(KafkaTestClient.Header(cancelled, "ce_time"));
            at.Success.Should().BeTrue("ce_time is an ISO-8601 instant");
            Math.Abs((at.Value - Now).TotalSeconds).Should().BeLessThan(60, "it is when the cancel happened");
            var body = cancelled.Body<DispatchCancelledMessage>();
            body.Status.Should().Be("cancelled");
            body.Reason.Should().Be("withdrawn");
        }

        // A request that is not cancelled, starting 5 s after the first would have: once its setpoints are out,
        // the cancelled one's would have been out before them.
        var control = "drd-c-" + Guid.NewGuid().ToString("N")[..6];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId = control, region = "dr-d", startsAt = Iso(starts + Duration.FromSeconds(5)), endsAt = Iso(starts + Duration.FromMinutes(1)), powerKw = 2.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        await Eventually.Value(() => homes.Select(h => h.SetpointsReceived).ToArray(), n => n.All(c => c > 0), timeoutMs: 60_000);
        homes.SelectMany(h => h.SetpointReasons).Should().OnlyContain(r => r == "dispatch " + control);
        (await api.PostAsJsonAsync($"/api/dispatches/{control}/cancel", new { reason = "test over" })).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Opted_out_sites_get_nothing_a_request_beyond_the_region_is_partly_accepted_and_an_empty_region_is_rejected()
    {
        using var api = _host.Api();
        await using var homes = new HomeGroup();
        for (var i = 0; i < 2; i++) homes.Add(await TestHome.StartAsync(_host, $"drc-{i}", "dr-c"));
        var id = "drc-" + Guid.NewGuid().ToString("N")[..8];
        (await api.PostAsync($"/api/sites/drc-0/dispatches/{id}/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(() => Flexibility(api, "dr-c"), f => f.Sites == 2, timeoutMs: 30_000);

        (await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region = "dr-c", startsAt = Iso(Now + Duration.FromSeconds(1)), endsAt = Iso(Now + Duration.FromSeconds(60)), powerKw = 100.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var view = await Eventually.Until(() => Dispatch(api, id), v => v.Status == DispatchStatus.Started, timeoutMs: 20_000);
        view.AcceptedKw.Should().BeApproximately(4, 1e-6, "only drc-1 takes part: 5 kW inverter minus the 1 kW it already gives");
        view.Reason.Should().Contain("4 kW");
        view.Allocations.Keys.Should().Equal("drc-1");
        // The home that takes part has its setpoint; the one that opted out got none.
        await Eventually.Value(() => homes[1].SetpointsReceived, n => n > 0);
        homes[0].SetpointsReceived.Should().Be(0);
        (await api.PostAsJsonAsync($"/api/dispatches/{id}/cancel", new { })).StatusCode.Should().Be(HttpStatusCode.OK);

        var empty = "drc-empty-" + Guid.NewGuid().ToString("N")[..6];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId = empty, region = "nowhere", startsAt = Iso(Now + Duration.FromSeconds(5)), endsAt = Iso(Now + Duration.FromSeconds(60)), powerKw = 5.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        view = await Dispatch(api, empty);
        view.Status.Should().Be(DispatchStatus.Rejected);
        view.Reason.Should().Be("no participating sites");
    }
}
