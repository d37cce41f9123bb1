using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Sites;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>
/// Two host processes in one Orleans cluster (localhost clustering, one PostgreSQL). The site's twin
/// lives on one silo; a viewer on each host must get its pushes, so one of them is always remote.
/// </summary>
public sealed class TwoHostLiveTests
{
    [Fact]
    public async Task A_viewer_on_either_host_gets_live_state_from_a_twin_on_any_silo()
    {
        var db = await TestPostgres.CreateDatabaseAsync("twolive");
        var cluster = "live-" + Guid.NewGuid().ToString("N");
        var primarySilo = VppHost.FreePort();
        await using var a = await HostProcess.StartAsync(db, ("Vpp:Orleans:ClusterId", cluster), ("Vpp:Orleans:SiloPort", primarySilo.ToString()));
        await using var b = await HostProcess.StartAsync(db, ("Vpp:Orleans:ClusterId", cluster), ("Vpp:Orleans:PrimarySiloPort", primarySilo.ToString()));

        using var apiA = a.Api();
        var tokens = await TestHomes.RegisterAsync(apiA, "twolive-home");
        await Sessions.CreateHomeownerAsync(apiA, "twolive-home", "hana", "correct horse battery");

        var seen = new ConcurrentDictionary<string, ConcurrentQueue<SiteState>>();
        var viewers = new List<HubConnection>();
        foreach (var (name, host) in new[] { ("A", a.BaseAddress), ("B", b.BaseAddress) })
        {
            // Signed in on each host separately: the two hosts share no cookie keys in this test.
            var live = await Sessions.LiveAsync(host, await Sessions.SignInHomeownerAsync(host, "hana", "correct horse battery"));
            var queue = seen.GetOrAdd(name, _ => new());
            live.On<SiteState>("SiteState", queue.Enqueue);
            await live.InvokeAsync<SiteState>("JoinSite", "twolive-home");
            viewers.Add(live);
        }

        await using var battery = await DeviceSocket.ConnectAsync(a.DeviceEndpoint, tokens["twolive-home-bat"]);
        // The battery reports as a device does, every 700 ms, until both viewers have had pushes
        // (a host that joined the cluster a moment ago is reached once it has announced itself).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var seq = 1; clock.Elapsed < TimeSpan.FromSeconds(30); seq++)
        {
            await battery.SendJsonAsync(new { type = "telemetry", seq, ts = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant()),
                powerKw = 0.25 * seq, socPct = 50.0 });
            if (seen.Values.All(q => q.Any(s => s.BatteryKw > 0)) && seq > 3) break;
            await Task.Delay(700);
        }

        foreach (var name in new[] { "A", "B" })
            seen[name].Should().Contain(s => s.BatteryKw > 0, $"the viewer on host {name} gets the twin's pushes wherever the twin lives");
        foreach (var live in viewers) await live.DisposeAsync();
    }
}
