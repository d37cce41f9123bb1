using NodaTime;
using Vpp.Contracts.Grid;

namespace Vpp.Grains.Grid;

/// <summary>The hosts' device gateways (the hub-list pattern): announced every 30 s, forgotten after 90 s of silence.</summary>
public sealed class GatewayDirectoryGrain(IClock clock) : Grain, IGatewayDirectoryGrain
{
    private static readonly Duration Expiry = Duration.FromSeconds(90);
    private readonly Dictionary<IDeviceGateway, Instant> _gateways = [];

    public Task Announce(IDeviceGateway gateway)
    {
        _gateways[gateway] = clock.GetCurrentInstant();
        return Task.CompletedTask;
    }

    public Task Withdraw(IDeviceGateway gateway)
    {
        _gateways.Remove(gateway);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IDeviceGateway>> List()
    {
        var now = clock.GetCurrentInstant();
        foreach (var stale in _gateways.Where(g => now - g.Value > Expiry).Select(g => g.Key).ToList()) _gateways.Remove(stale);
        return Task.FromResult<IReadOnlyList<IDeviceGateway>>(_gateways.Keys.ToList());
    }
}
