using System.Globalization;
using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// What one site can add in one direction for a dispatch window, already limited by its batteries
/// (power, SoC between reserve and full, efficiency — see BatteryFlexibility) and its operating
/// envelope. Magnitudes ≥ 0.
/// </summary>
public sealed record SiteHeadroom(string SiteId, Power Power, Energy Energy);

/// <summary>A site's share of a dispatch: a magnitude in the dispatch's direction.</summary>
public sealed record SiteAllocation(string SiteId, Power Power);

public sealed record AllocationResult(Power Accepted, IReadOnlyList<SiteAllocation> Sites, string? ShortfallReason);

/// <summary>
/// Splits a dispatch of <c>requested</c> kW over a window among sites. A site can sustain
/// min(power headroom, energy headroom ÷ window) for the whole window; the fleet accepts at most the
/// sum of that. The accepted power is shared in proportion to energy headroom (sites with more
/// stored energy to spare carry more), capped at each site's sustainable power, with what a capped
/// site cannot take handed on to the others (water-filling). Pure; no site ever gets more than it
/// can sustain.
/// </summary>
public static class DispatchAllocation
{
    /// <summary>What one site can hold for the whole window: min(power, energy ÷ window), ≥ 0.</summary>
    public static double Sustainable(SiteHeadroom site, Duration window)
    {
        var cap = Math.Max(0, Math.Min(site.Power.Kw, site.Energy.Kwh / window.TotalHours));
        return double.IsFinite(cap) ? cap : 0;
    }

    /// <summary>Why less than <paramref name="requested"/> can be accepted from sites sustaining <paramref name="total"/>; null when all of it can.</summary>
    public static string? ShortfallReason(Power requested, int siteCount, Power total) =>
        siteCount == 0 ? "no participating sites"
        : total.Kw <= 0 ? "no site can sustain any power for the whole window"
        : total.Kw < requested.Kw ? string.Create(CultureInfo.InvariantCulture, $"the fleet can sustain {total.Kw:0.###} kW for the whole window")
        : null;

    public static AllocationResult Allocate(Power requested, Duration window, IReadOnlyList<SiteHeadroom> sites)
    {
        if (!double.IsFinite(requested.Kw) || requested.Kw < 0) throw new ArgumentOutOfRangeException(nameof(requested), "Requested power must be a finite magnitude ≥ 0.");
        if (window <= Duration.Zero) throw new ArgumentOutOfRangeException(nameof(window), "The window must be longer than zero.");

        var sustainable = sites
            .Select(s => (s.SiteId, Cap: Sustainable(s, window), Weight: Math.Max(0, s.Energy.Kwh)))
            .Where(s => s.Cap > 0)
            .ToList();
        var total = sustainable.Sum(s => s.Cap);
        var accepted = Math.Min(requested.Kw, total);
        var reason = ShortfallReason(requested, sites.Count, new Power(total));

        var shares = sustainable.ToDictionary(s => s.SiteId, _ => 0.0, StringComparer.Ordinal);
        var open = sustainable.ToList();
        var remaining = accepted;
        // Each round either places everything or saturates at least one site: at most n rounds.
        while (remaining > 1e-12 && open.Count > 0)
        {
            var weight = open.Sum(s => s.Weight);
            var placed = 0.0;
            var saturated = new List<(string SiteId, double Cap, double Weight)>();
            foreach (var s in open)
            {
                var want = weight > 0 ? remaining * s.Weight / weight : remaining / open.Count;
                var room = s.Cap - shares[s.SiteId];
                var give = Math.Min(want, room);
                shares[s.SiteId] += give;
                placed += give;
                if (room - give <= 1e-12) saturated.Add(s);
            }
            remaining -= placed;
            open = open.Except(saturated).ToList();
            if (saturated.Count == 0) break;
        }
        return new AllocationResult(new Power(accepted),
            shares.Where(s => s.Value > 0).Select(s => new SiteAllocation(s.Key, new Power(s.Value))).ToList(), reason);
    }
}
