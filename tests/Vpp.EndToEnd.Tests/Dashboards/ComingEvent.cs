using System.Net;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.EndToEnd.Tests.Grid;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>A home (battery + meter) alone in its region with a homeowner account, and a 1 kW dispatch accepted for later.</summary>
public static class ComingEvent
{
    public static async Task<(TestHome Home, string RequestId)> StartAsync(VppHost host, string siteId, string region, string user, string password)
    {
        var home = await TestHome.StartAsync(host, siteId, region);
        await host.CreateHomeownerAsync(siteId, user, password);
        using var api = host.Api();
        await Eventually.Until(async () => (await api.GetViewAsync<RegionFlexibility>($"/api/regions/{region}/flexibility")).Sites,
            n => n == 1, timeoutMs: 30_000);
        var requestId = region + "-" + Guid.NewGuid().ToString("N")[..8];
        var now = SystemClock.Instance.GetCurrentInstant();
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId, region, startsAt = InstantPattern.ExtendedIso.Format(now + Duration.FromMinutes(30)),
            endsAt = InstantPattern.ExtendedIso.Format(now + Duration.FromMinutes(60)), powerKw = 1.0 })).StatusCode.Should().Be(HttpStatusCode.Created);
        return (home, requestId);
    }
}
