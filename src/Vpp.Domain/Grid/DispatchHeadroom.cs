using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// How far a site (or one battery) can move from what it is doing now, in one direction, for a
/// whole window — the "delta" that a dispatch adds on top of the battery's present power.
/// <para>
/// A battery running at <c>b₀</c> that is asked for <c>b₀ + Δ</c> up must stay within its
/// discharge limit (Δ ≤ max − b₀) and, over a window T, draw no more than the energy above its
/// reserve (Δ·T ≤ E_up − b₀·T). Down is the mirror (Δ ≤ maxCharge + b₀, Δ·T ≤ E_down + b₀·T).
/// The site's operating envelope then caps the sum: up may lower the grid flow to −export, down
/// raise it to +import. Homeowner opt-out, manual override or no live battery make it zero.
/// </para>
/// </summary>
public static class DispatchHeadroom
{
    public static SiteHeadroom Of(SiteCapability site, DispatchDirection direction, string eventId, Instant from, Instant until)
    {
        if (until <= from) throw new ArgumentOutOfRangeException(nameof(until), "The window must end after it starts.");
        if (!site.Allows(eventId, from)) return new SiteHeadroom(site.SiteId, Power.Zero, Energy.Zero);

        var window = until - from;
        var batteries = site.Batteries.Select(b => Of(b, direction, window)).ToList();
        var power = batteries.Sum(b => Math.Min(b.Power.Kw, b.Energy.Kwh / window.TotalHours));
        var energy = batteries.Sum(b => b.Energy.Kwh);

        var (up, down) = OperatingEnvelopes.Headroom(site.Grid, OperatingEnvelopes.Effective(site.Envelopes, from, until));
        var envelope = direction == DispatchDirection.Up ? up : down;
        if (envelope.Kw < power) power = Math.Max(0, envelope.Kw);
        // Power is already the sustainable figure; energy is capped to match so that the two agree.
        energy = Math.Min(energy, power * window.TotalHours);
        return new SiteHeadroom(site.SiteId, new Power(power), new Energy(energy));
    }

    /// <summary>One battery's delta headroom (power magnitude and the energy for it over the window), both ≥ 0.</summary>
    public static SiteHeadroom Of(BatteryCapability b, DispatchDirection direction, Duration window)
    {
        var hours = window.TotalHours;
        var (power, energy) = direction == DispatchDirection.Up
            ? (b.MaxDischarge.Kw - b.Now.Kw, b.UpEnergy.Kwh - b.Now.Kw * hours)
            : (b.MaxCharge.Kw + b.Now.Kw, b.DownEnergy.Kwh + b.Now.Kw * hours);
        return new SiteHeadroom(b.DeviceId, new Power(Clean(power)), new Energy(Clean(energy)));
    }

    /// <summary>
    /// Splits a site's delta among its batteries (the same water-filling as across sites) and
    /// returns each battery's absolute setpoint: its present power plus its share, signed.
    /// </summary>
    public static IReadOnlyList<(string DeviceId, Power Setpoint)> Setpoints(
        IReadOnlyList<BatteryCapability> batteries, DispatchDirection direction, Power delta, Duration window)
    {
        var sign = direction == DispatchDirection.Up ? 1 : -1;
        var split = DispatchAllocation.Allocate(delta.Abs(), window, batteries.Select(b => Of(b, direction, window)).ToList());
        var shares = split.Sites.ToDictionary(s => s.SiteId, s => s.Power.Kw, StringComparer.Ordinal);
        return batteries
            .Select(b => (b.DeviceId, Setpoint: new Power(b.Now.Kw + sign * shares.GetValueOrDefault(b.DeviceId))
                .Clamp(-b.MaxCharge, b.MaxDischarge)))
            .ToList();
    }

    private static double Clean(double v) => double.IsFinite(v) ? Math.Max(0, v) : 0;
}
