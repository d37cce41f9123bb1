using System.Net;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.EndToEnd.Tests.Grid;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>A dispatch outlives a SIGKILL of its only host: the next host resumes, measures and completes it.</summary>
public sealed class DispatchRestartTests
{
    private static readonly (string, string)[] Settings =
    [
        ("Vpp:Grid:BaselineWindowSeconds", "3"), ("Vpp:Grid:DeliveryIntervalSeconds", "4"), ("Vpp:Grid:TraceBucketSeconds", "0.5"),
        ("Vpp:Grid:TraceRetentionMinutes", "2"),
        // Defaults for the ack timeout and the resume wait: on a loaded CI machine a 3 s ack timeout lost homes whose acks came
        // later, and their shares rightly moved to the other home (5 kW instead of 3); the homes must also be back before
        // the dispatch resumes. The host's log is shown if the check fails.
        ("Vpp:Grid:AckTimeoutSeconds", "10"), ("Vpp:Grid:ResumeAfterSeconds", "10"), ("Logging:LogLevel:Vpp", "Information"),
    ];

    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    [Fact]
    public async Task A_dispatch_running_when_every_host_dies_is_resumed_with_its_recorded_baselines_measured_and_completed()
    {
        var db = await TestPostgres.CreateDatabaseAsync("dispatchrestart");
        await using var homes = new HomeGroup();
        var id = "rst-" + Guid.NewGuid().ToString("N")[..8];
        await using (var first = await HostProcess.StartAsync(db, Settings))
        {
            using var api = first.Api();
            for (var i = 0; i < 2; i++) homes.Add(await TestHome.StartAsync(api, first.DeviceEndpoint, $"rst-{i}", "rst"));
            await Eventually.Until(() => api.GetViewAsync<RegionFlexibility>("/api/regions/rst/flexibility"), f => f.Sites == 2, timeoutMs: 30_000);
            await homes.ReportedForAsync(Duration.FromSeconds(3)); // the baseline window's worth of meter readings
            var now = SystemClock.Instance.GetCurrentInstant();
            (await api.PostAsJsonAsync("/api/dispatches", new { requestId = id, region = "rst", startsAt = Iso(now + Duration.FromSeconds(1)),
                endsAt = Iso(now + Duration.FromSeconds(60)), powerKw = 4.0 })).StatusCode.Should().Be(HttpStatusCode.Created);
            // Each home covers its 1 kW load (its baseline) and discharges its 2 kW share on top.
            await Eventually.Value(() => homes.Select(h => h.BatteryKw).ToArray(), kws => kws.All(kw => Math.Abs(kw - 3) < 1e-6), timeoutMs: 15_000);
            // Killed once the start is recorded: every interval of the window is then reported, the ones while no host
            // ran as unmeasured. (Killed between the setpoints and the recorded start, the next host starts the dispatch
            // afresh and the intervals before it are not reported at all: seen once in CI, 12 of 15. Placing shares on
            // the recorded baselines in that window is DispatchBaselineTests' case.)
            await Eventually.Until(async () => (await api.GetViewAsync<DispatchView>($"/api/dispatches/{id}")).Status,
                status => status == DispatchStatus.Started, timeoutMs: 15_000);
            await first.KillAsync();
        }

        var before = homes.Sum(h => h.SetpointsReceived);
        await using var second = await HostProcess.StartAsync(db, Settings);
        await Task.WhenAll(homes.Select(h => h.ReconnectAsync(second.DeviceEndpoint)));
        using var api2 = second.Api();

        // Resumed: the shares go out again on top of the baselines recorded at the start, not on top of the running setpoints.
        await Eventually.True(() => homes.Sum(h => h.SetpointsReceived) > before + 2, timeoutMs: 30_000);
        homes.Should().OnlyContain(h => Math.Abs(h.BatteryKw - 3) < 1e-6, "baseline 1 kW + share 2 kW, not 3 + 2; host log:\n{0}", second.Output);

        var view = await Eventually.Until(() => api2.GetViewAsync<DispatchView>($"/api/dispatches/{id}"),
            v => v.Status == DispatchStatus.Completed, timeoutMs: 90_000);
        view.LostSites.Should().BeEmpty();
        var intervals = view.Intervals;
        intervals.Should().HaveCount(15, "a 60 s window in 4 s intervals, each reported once");
        // Intervals while no host ran could not be measured; the last ones are, against the recorded baselines (stated tolerance 15 %).
        var last = intervals[^1];
        last.SitesMeasured.Should().Be(2);
        last.DeliveredKw.Should().BeApproximately(4, 0.6);
    }
}
