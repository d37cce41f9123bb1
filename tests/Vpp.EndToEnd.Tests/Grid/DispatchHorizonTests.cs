using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.EndToEnd.Tests.Kafka;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Protocol.GridSignals;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Grid;

/// <summary>
/// A dispatch far in the future must not break anything: it is refused (over REST with the field named,
/// over Kafka as a published rejection), its grain stays usable, and every shared path keeps working.
/// Orleans grain timers cannot span more than about 49.7 days: one set for such a start made the grain
/// unactivatable and stalled the grid-signals consumer for every region.
/// </summary>
public sealed class DispatchHorizonTests(VppHost host) : IClassFixture<VppHost>
{
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    [Fact]
    public async Task A_dispatch_starting_sixty_days_ahead_over_rest_is_refused_naming_startsAt_and_nothing_breaks()
    {
        using var api = host.Api();
        // A home in the region, so a request is not simply rejected for want of flexibility.
        await using var home = await TestHome.StartAsync(host, "far-home", "far");
        await Eventually.Until(() => api.GetViewAsync<RegionFlexibility>("/api/regions/far/flexibility"), f => f.Sites == 1, timeoutMs: 30_000);
        var id = "far-" + Guid.NewGuid().ToString("N")[..8];
        var starts = Now + Duration.FromDays(60);
        var response = await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region = "far", startsAt = Iso(starts), endsAt = Iso(starts + Duration.FromHours(1)), powerKw = 5.0 });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Should().ContainKey("startsAt")
            .WhoseValue.Single().Should().Contain("7 days");
        (await api.GetAsync($"/api/dispatches/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Within the horizon is still accepted (the refusal above is the horizon, not the request's shape).
        var near = await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region = "far", startsAt = Iso(Now + Duration.FromDays(6)), endsAt = Iso(Now + Duration.FromDays(6) + Duration.FromHours(1)), powerKw = 5.0 });
        near.StatusCode.Should().Be(HttpStatusCode.Created);
        (await api.GetViewAsync<DispatchView>($"/api/dispatches/{id}")).Status.Should().Be(DispatchStatus.Accepted);
        var operatorSession = await host.SignInOperatorAsync();
        using var browser = host.Browser(operatorSession);
        (await browser.GetAsync("/portal/api/operations")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_dispatch_starting_sixty_days_ahead_over_kafka_is_rejected_and_the_signals_after_it_are_handled()
    {
        using var kafka = new KafkaTestClient(host.Service<KafkaEndpoint>().BootstrapServers);
        using var api = host.Api();
        await using var home = await TestHome.StartAsync(host, "fark-home", "fark");
        await Eventually.Until(() => api.GetViewAsync<RegionFlexibility>("/api/regions/fark/flexibility"), f => f.Sites == 1, timeoutMs: 30_000);
        var far = "fark-" + Guid.NewGuid().ToString("N")[..8];
        var next = "fark-" + Guid.NewGuid().ToString("N")[..8];
        var starts = Now + Duration.FromDays(60);
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "fark", new { requestId = far, region = "fark", startsAt = Iso(starts), endsAt = Iso(starts + Duration.FromHours(1)), powerKw = 5.0, priority = 1 },
            KafkaTestClient.Ce(GridSignalParser.DispatchRequestType));
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "fark", new { requestId = next, region = "fark", startsAt = Iso(Now + Duration.FromHours(1)), endsAt = Iso(Now + Duration.FromHours(2)), powerKw = 5.0, priority = 1 },
            KafkaTestClient.Ce(GridSignalParser.DispatchRequestType));
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "fark", new { ts = Iso(Now), hz = 50.001 }, KafkaTestClient.Ce(GridSignalParser.FrequencyType));

        // The one after it was handled, and the frequency reading too.
        await Eventually.Until(() => api.GetViewAsync<DispatchView>($"/api/dispatches/{next}"), v => v.Status == DispatchStatus.Accepted, timeoutMs: 30_000);
        await Eventually.Until(() => api.GetViewAsync<FrequencyResponseView>("/api/regions/fark/frequency-response"), v => v.LastHz == 50.001, timeoutMs: 30_000);
        var farView = await api.GetViewAsync<DispatchView>($"/api/dispatches/{far}");
        farView.Status.Should().Be(DispatchStatus.Rejected);
        farView.Reason.Should().Contain("7 days");
        var published = kafka.ReadAll(KafkaTopics.Dispatch, r => r.Any(m => m.Message.Key == far && KafkaTestClient.Header(m, "ce_type") == MessageTypes.DispatchRejected), timeoutMs: 30_000);
        published.Should().Contain(m => m.Message.Key == far && KafkaTestClient.Header(m, "ce_type") == MessageTypes.DispatchRejected);
    }
}
