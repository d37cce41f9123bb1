using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Flexibility;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// Which way a dispatch moves a site's connection. Up: power out of the home rises (a dispatch of
/// &gt; 0 kW: less import / more export; batteries discharge more). Down: power into the home rises.
/// </summary>
public enum DispatchDirection
{
    Up,
    Down,
}

/// <summary>
/// One battery as grid balancing sees it now: its present power (&gt; 0 discharging), its inverter
/// limits (magnitudes) and the energy at its terminals above the backup reserve (up) and below full (down).
/// </summary>
public sealed record BatteryCapability(string DeviceId, Power Now, Power MaxDischarge, Power MaxCharge, Energy UpEnergy, Energy DownEnergy)
{
    public static BatteryCapability Of(string deviceId, BatterySpec spec, Percent soc, Percent reserve, Power now)
    {
        var flex = BatteryFlexibility.Of(spec, soc, reserve);
        return new BatteryCapability(deviceId, now, spec.MaxDischarge, spec.MaxCharge, flex.UpEnergy, flex.DownEnergy);
    }
}

/// <summary>
/// Everything grid balancing needs to know about a site to size and place its share of a dispatch:
/// the live batteries, the grid flow (&gt; 0 import), the operating envelopes and the homeowner's
/// choices. Built by the site's twin; only online batteries are listed (stale or offline count as zero).
/// </summary>
public sealed record SiteCapability(
    string SiteId,
    IReadOnlyList<BatteryCapability> Batteries,
    Power Grid,
    IReadOnlyList<EnvelopeLimit> Envelopes,
    bool Participating,
    Instant? ManualOverrideUntil,
    IReadOnlySet<string> OptedOutOf,
    Instant At)
{
    /// <summary>Whether the homeowner lets the VPP use this site for the given event from <paramref name="from"/>.</summary>
    public bool Allows(string eventId, Instant from) => Refusal(eventId, from) is null;

    /// <summary>Why the homeowner's choices keep the VPP out of this event, or null when they allow it.</summary>
    public string? Refusal(string eventId, Instant from) =>
        !Participating ? "the homeowner does not take part in VPP events"
        : OptedOutOf.Contains(eventId) ? "the homeowner opted out of this event"
        : ManualOverrideUntil is { } until && until > from ? $"the homeowner has manual control until {until}"
        : null;
}
