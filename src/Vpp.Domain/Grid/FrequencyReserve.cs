using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// Frequency-response capacity: a battery committed at <c>c</c> kW must be able to give ±c for
/// <see cref="Endurance"/> in both directions (the usual FCR rule), so it needs c·15 min of energy
/// above its reserve and c·15 min of room below full, and c of inverter power each way. What is
/// committed is held back from dispatch.
/// </summary>
public static class FrequencyReserve
{
    public static readonly Duration Endurance = Duration.FromMinutes(15);

    /// <summary>The largest symmetric commitment the battery can hold now.</summary>
    public static Power Sustainable(BatteryCapability b)
    {
        var hours = Endurance.TotalHours;
        var kw = Math.Min(Math.Min(b.MaxDischarge.Kw, b.MaxCharge.Kw), Math.Min(b.UpEnergy.Kwh, b.DownEnergy.Kwh) / hours);
        return new Power(double.IsFinite(kw) ? Math.Max(0, kw) : 0);
    }

    /// <summary>Shares a region's commitment over its batteries by what each can sustain (water-filling).</summary>
    public static AllocationResult Assign(Power total, IReadOnlyList<BatteryCapability> batteries) =>
        DispatchAllocation.Allocate(total.Abs(), Endurance,
            batteries.Select(b =>
            {
                var c = Sustainable(b);
                return new SiteHeadroom(b.DeviceId, c, c * Endurance);
            }).ToList());

    /// <summary>
    /// Shares a region's commitment over sites and their batteries: a site offers at most what its
    /// batteries sustain and what its operating envelope allows in both directions over the
    /// commitment's window (the response goes both ways); sites the homeowner keeps out offer nothing.
    /// Returns deviceId → committed kW.
    /// </summary>
    public static IReadOnlyDictionary<string, Power> Assign(Power total, IReadOnlyList<SiteCapability> sites, Instant from, Instant until)
    {
        var offers = sites.Where(s => s.Allows("frequency-response", from)).Select(s =>
        {
            var cap = SiteSustainable(s, from, until);
            return (Site: s, Offer: new SiteHeadroom(s.SiteId, cap, cap * Endurance));
        }).ToList();
        var perSite = DispatchAllocation.Allocate(total.Abs(), Endurance, offers.Select(o => o.Offer).ToList());
        var result = new Dictionary<string, Power>(StringComparer.Ordinal);
        foreach (var share in perSite.Sites)
        {
            var site = offers.Single(o => o.Site.SiteId == share.SiteId).Site;
            foreach (var b in Assign(share.Power, site.Batteries).Sites) result[b.SiteId] = b.Power;
        }
        return result;
    }

    /// <summary>
    /// The commitment the sites could take over the window: what <see cref="Assign(Power, IReadOnlyList{SiteCapability}, Instant, Instant)"/>
    /// can place. Less than the pooled power both ways whenever batteries differ in their charge and
    /// discharge limits, since each battery's droop is symmetric.
    /// </summary>
    public static Power Capacity(IEnumerable<SiteCapability> sites, Instant from, Instant until) =>
        new(sites.Where(s => s.Allows("frequency-response", from)).Sum(s => SiteSustainable(s, from, until).Kw));

    /// <summary>A site's symmetric capability: its batteries' sustainable commitment within its envelope both ways.</summary>
    private static Power SiteSustainable(SiteCapability s, Instant from, Instant until)
    {
        var (up, down) = OperatingEnvelopes.Headroom(s.Grid, OperatingEnvelopes.Effective(s.Envelopes, from, until));
        var batteries = s.Batteries.Sum(b => Sustainable(b).Kw);
        return new Power(Math.Max(0, Math.Min(batteries, Math.Min(up.Kw, down.Kw))));
    }

    /// <summary>What is left of a battery for dispatch once <paramref name="committed"/> is held for frequency response.</summary>
    public static BatteryCapability Hold(BatteryCapability b, Power committed)
    {
        if (committed.Kw <= 0) return b;
        var energy = committed * Endurance;
        return b with
        {
            MaxDischarge = new Power(Math.Max(0, b.MaxDischarge.Kw - committed.Kw)),
            MaxCharge = new Power(Math.Max(0, b.MaxCharge.Kw - committed.Kw)),
            UpEnergy = (b.UpEnergy - energy).AtLeastZero(),
            DownEnergy = (b.DownEnergy - energy).AtLeastZero(),
        };
    }

    /// <summary>
    /// The state-of-charge window in which a committed battery can still sustain its commitment for
    /// the endurance both ways: [reserve + energy out, full − energy in], in percent (losses included).
    /// Null when the battery is too small for the commitment.
    /// </summary>
    public static (Percent Low, Percent High)? SocWindow(Batteries.BatterySpec spec, Percent reserve, Power committed)
    {
        var outKwh = committed.Kw * Endurance.TotalHours / spec.DischargeEfficiency;   // drawn from the cells
        var inKwh = committed.Kw * Endurance.TotalHours * spec.ChargeEfficiency;       // stored in the cells
        var low = reserve.Value + outKwh / spec.Capacity.Kwh * 100;
        var high = 100 - inKwh / spec.Capacity.Kwh * 100;
        return low <= high ? (new Percent(low), new Percent(high)) : null;
    }
}
