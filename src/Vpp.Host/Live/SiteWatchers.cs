using System.Collections.Concurrent;
using Vpp.Contracts.Sites;

namespace Vpp.Host.Live;

/// <summary>
/// Which sites this host's viewers watch. A site publishes live state only while watched; this
/// host tells it when the first viewer joins and renews the lease every minute while any viewer stays.
/// </summary>
public sealed class SiteWatchers(IGrainFactory grains, ILogger<SiteWatchers> log) : BackgroundService
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byConnection = new(StringComparer.Ordinal);

    public void Join(string connectionId, string siteId)
    {
        _byConnection.GetOrAdd(connectionId, _ => new(StringComparer.Ordinal))[siteId] = 0;
        grains.GetGrain<ISiteGrain>(siteId).Watch().Ignore();
    }

    public void Leave(string connectionId, string siteId)
    {
        if (_byConnection.TryGetValue(connectionId, out var sites)) sites.TryRemove(siteId, out _);
    }

    public void Disconnected(string connectionId) => _byConnection.TryRemove(connectionId, out _);

    public IReadOnlyCollection<string> Watched() => _byConnection.Values.SelectMany(s => s.Keys).ToHashSet(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var siteId in Watched()) grains.GetGrain<ISiteGrain>(siteId).Watch().Ignore();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Renewing watched sites failed");
            }
        }
    }
}
