namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>
/// A host for dashboard tests: rollups written every second, twins publishing every 100 ms (ten
/// times the default, so the fleet throttle has something to hold back), sign-in not rate limited.
/// </summary>
public sealed class DashboardHost() : VppHost(new Dictionary<string, string>
{
    ["Vpp:History:FlushIntervalSeconds"] = "1",
    ["Vpp:PublishIntervalMs"] = "100",
    ["Vpp:Portal:SignInAttemptsPerMinute"] = "10000",
});
