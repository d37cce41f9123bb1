using NodaTime;

namespace Vpp.Grains.Directories;

/// <summary>
/// Hosts' observers (the hub-list pattern): announced periodically, forgotten after 90 s of silence,
/// so a host that died without withdrawing stops receiving within that time.
/// </summary>
public sealed class ObserverDirectory<T>(IClock clock) where T : notnull
{
    public static readonly Duration Expiry = Duration.FromSeconds(90);
    private readonly Dictionary<T, Instant> _entries = [];

    public void Announce(T observer) => _entries[observer] = clock.GetCurrentInstant();

    public void Withdraw(T observer) => _entries.Remove(observer);

    public IReadOnlyList<T> List()
    {
        var now = clock.GetCurrentInstant();
        foreach (var stale in _entries.Where(e => now - e.Value > Expiry).Select(e => e.Key).ToList()) _entries.Remove(stale);
        return _entries.Keys.ToList();
    }
}
