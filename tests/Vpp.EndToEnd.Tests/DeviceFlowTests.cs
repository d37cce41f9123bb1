using Vpp.Tests.Shared;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Host.Api;
using Vpp.Protocol;

namespace Vpp.EndToEnd.Tests;

public class DeviceFlowTests(VppHost host) : IClassFixture<VppHost>
{
    private static string Ts => InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant());

    [Fact]
    public async Task Register_connect_report_watch_live_and_run_a_setpoint_end_to_end()
    {
        var tokens = await host.RegisterHomeAsync("e2e-home");
        await using var battery = await host.ConnectAsync(tokens["e2e-home-bat"]);
        await using var solar = await host.ConnectAsync(tokens["e2e-home-pv"]);
        await using var meter = await host.ConnectAsync(tokens["e2e-home-meter"]);

        await using var live = await host.LiveAsync();
        var pushed = new List<SiteState>();
        var gotLoad = new TaskCompletionSource<SiteState>(TaskCreationOptions.RunContinuationsAsynchronously);
        live.On<SiteState>("SiteState", s =>
        {
            lock (pushed) pushed.Add(s);
            if (s.LoadKw > 0 && s.SocPct is not null) gotLoad.TrySetResult(s);
        });
        await live.InvokeAsync<SiteState>("JoinSite", "e2e-home");

        await battery.SendJsonAsync(new { type = "hello", deviceId = "e2e-home-bat", firmware = "t" });
        await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, powerKw = -1.0, socPct = 55.0 });
        await solar.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, powerKw = 3.0, availableKw = 3.5 });
        await meter.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, gridKw = 0.5, loadKw = 2.5 });

        var state = await gotLoad.Task.WaitAsync(TimeSpan.FromSeconds(10));
        state.SiteId.Should().Be("e2e-home");
        state.PvKw.Should().Be(3);
        state.BatteryKw.Should().Be(-1);
        state.GridKw.Should().Be(0.5);
        state.LoadKw.Should().Be(2.5);
        state.SocPct.Should().BeApproximately(55, 1e-9);
        state.At.Should().BeGreaterThan(Instant.FromUtc(2026, 1, 1, 0, 0), "instants survive the SignalR JSON protocol");

        using var api = host.Api();
        var issued = await api.PostAsJsonAsync("/api/devices/e2e-home-bat/setpoints", new { powerKw = 2.5, validForSeconds = 600, reason = "e2e" });
        issued.StatusCode.Should().Be(System.Net.HttpStatusCode.Created);
        var commandId = (await issued.ReadViewAsync<CommandRecord>()).CommandId;

        var setpoint = (await battery.ReceiveAsync()).Should().BeOfType<SetpointMessage>().Subject;
        setpoint.CommandId.Should().Be(commandId);
        setpoint.PowerKw.Should().Be(2.5);
        setpoint.MinSocPct.Should().Be(20);
        setpoint.ValidUntil.Should().BeGreaterThan(SystemClock.Instance.GetCurrentInstant(), "valid for 600 s, an ISO-8601 instant on the wire");

        await battery.SendJsonAsync(new { type = "ack", commandId, status = "accepted" });
        var accepted = await Eventually.Until(() => api.GetViewAsync<CommandsView>("/api/devices/e2e-home-bat/commands"),
            j => j.Commands.Any(c => c.CommandId == commandId && c.Status == CommandStatus.Accepted));
        accepted.Commands.Should().Contain(c => c.Status == CommandStatus.Accepted);
    }

    [Fact]
    public async Task A_repeated_or_older_seq_has_no_effect()
    {
        var tokens = await host.RegisterHomeAsync("e2e-seq");
        await using var battery = await host.ConnectAsync(tokens["e2e-seq-bat"]);
        using var api = host.Api();

        await battery.SendJsonAsync(new { type = "telemetry", seq = 10, ts = Ts, powerKw = 1.0, socPct = 50.0 });
        await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/e2e-seq-bat"), j => j.Last is not null);
        await battery.SendJsonAsync(new { type = "telemetry", seq = 10, ts = Ts, powerKw = 2.0, socPct = 50.0 });
        await battery.SendJsonAsync(new { type = "telemetry", seq = 9, ts = Ts, powerKw = 3.0, socPct = 50.0 });
        await battery.SendJsonAsync(new { type = "telemetry", seq = 11, ts = Ts, powerKw = 4.0, socPct = 50.0 });

        var twin = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/e2e-seq-bat"), j => j.Last?.Seq == 11);
        twin.Last!.PowerKw.Should().Be(4.0);
    }

    [Fact]
    public async Task Fleet_summary_is_pushed_to_the_fleet_group()
    {
        var tokens = await host.RegisterHomeAsync("e2e-fleet");
        await using var live = await host.LiveAsync();
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        live.On<FleetSummary>("FleetSummary", f => { if (f.SitesOnline >= 1) online.TrySetResult(); });
        await live.InvokeAsync<FleetSummary>("JoinFleet");

        await using var battery = await host.ConnectAsync(tokens["e2e-fleet-bat"]);
        await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, powerKw = 0.0, socPct = 50.0 });

        await online.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Live_pushes_are_batched_per_site_not_sent_per_telemetry_frame()
    {
        var tokens = await host.RegisterHomeAsync("e2e-batch");
        await using var battery = await host.ConnectAsync(tokens["e2e-batch-bat"]);
        await using var live = await host.LiveAsync();
        var pushes = new System.Collections.Concurrent.ConcurrentQueue<SiteState>();
        live.On<SiteState>("SiteState", s => { if (s.SiteId == "e2e-batch") pushes.Enqueue(s); });
        await live.InvokeAsync<SiteState>("JoinSite", "e2e-batch");

        // 60 readings at ~20 Hz (inside the flood limit); the site publishes at most once per live spacing (500 ms).
        var sending = System.Diagnostics.Stopwatch.StartNew();
        for (var seq = 1; seq <= 60; seq++)
        {
            await battery.SendJsonAsync(new { type = "telemetry", seq, ts = Ts, powerKw = seq / 100.0, socPct = 50.0 });
            await Task.Delay(50);
        }
        using var api = host.Api();
        await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/e2e-batch-bat"), j => j.Last?.Seq == 60);
        // The last reading's state reaches the viewer (in the next batch): every push is in by then.
        await Eventually.Value(() => pushes.ToArray(), p => p.Any(s => Math.Abs(s.BatteryKw - 0.6) < 1e-9));

        var spacings = (int)(sending.ElapsedMilliseconds / 500);
        pushes.Count.Should().BeLessThanOrEqualTo(spacings + 2, $"at most one message per site per 500 ms over {sending.ElapsedMilliseconds} ms, not one per frame")
            .And.BeLessThan(60);
    }

    [Fact]
    public async Task A_first_reading_with_seq_0_counts()
    {
        var tokens = await host.RegisterHomeAsync("seq-zero");
        await using var device = await host.ConnectAsync(tokens["seq-zero-bat"]);
        device.Welcome.LastSeq.Should().Be(0);
        using var api = host.Api();

        await device.SendJsonAsync(new { type = "telemetry", seq = 0, ts = Ts, powerKw = 1.5, socPct = 50.0 });
        var twin = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/seq-zero-bat"), s => s.Last is not null);
        twin.Last!.Seq.Should().Be(0);
        twin.Last.PowerKw.Should().Be(1.5);

        await device.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, powerKw = 2.0, socPct = 50.0 });
        twin = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/seq-zero-bat"), s => s.Last!.Seq == 1);
        twin.Last!.PowerKw.Should().Be(2.0);
    }
}
