using NodaTime;
using Vpp.Contracts.Live;

namespace Vpp.Grains.Directories;

/// <summary>The hosts' live hubs, for pushing twin state to viewers on any host.</summary>
public sealed class LiveDirectoryGrain(IClock clock) : Grain, ILiveDirectoryGrain
{
    private readonly ObserverDirectory<ILiveHost> _hosts = new(clock);

    public Task Announce(ILiveHost host) { _hosts.Announce(host); return Task.CompletedTask; }
    public Task Withdraw(ILiveHost host) { _hosts.Withdraw(host); return Task.CompletedTask; }
    public Task<IReadOnlyList<ILiveHost>> List() => Task.FromResult(_hosts.List());
}
