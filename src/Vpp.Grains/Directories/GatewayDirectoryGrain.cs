using NodaTime;
using Vpp.Contracts.Grid;

namespace Vpp.Grains.Directories;

/// <summary>The hosts' device gateways, for central frequency response.</summary>
public sealed class GatewayDirectoryGrain(IClock clock) : Grain, IGatewayDirectoryGrain
{
    private readonly ObserverDirectory<IDeviceGateway> _gateways = new(clock);

    public Task Announce(IDeviceGateway gateway) { _gateways.Announce(gateway); return Task.CompletedTask; }
    public Task Withdraw(IDeviceGateway gateway) { _gateways.Withdraw(gateway); return Task.CompletedTask; }
    public Task<IReadOnlyList<IDeviceGateway>> List() => Task.FromResult(_gateways.List());
}
