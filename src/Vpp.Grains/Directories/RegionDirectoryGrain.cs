using Vpp.Contracts.Grid;

namespace Vpp.Grains.Directories;

/// <summary>Regions that have activated since this grain did; a region re-announces on every activation.</summary>
public sealed class RegionDirectoryGrain : Grain, IRegionDirectoryGrain
{
    private readonly SortedSet<string> _regions = new(StringComparer.Ordinal);

    public Task Announce(string region) { _regions.Add(region); return Task.CompletedTask; }
    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(_regions.ToList());
}
