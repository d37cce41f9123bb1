using Vpp.Contracts.Grid;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Grains.Grid;

/// <summary>Wire records (Orleans) ↔ domain values.</summary>
internal static class CapabilityMapping
{
    public static SiteCapability ToDomain(this SiteCapabilityReport r) => new(
        r.SiteId,
        r.Batteries.Select(b => new BatteryCapability(b.DeviceId, new Power(b.NowKw), new Power(b.MaxDischargeKw), new Power(b.MaxChargeKw),
            new Energy(b.UpKwh), new Energy(b.DownKwh))).ToList(),
        new Power(r.GridKw),
        r.Envelopes.Select(e => new EnvelopeLimit(new Power(e.ImportLimitKw), new Power(e.ExportLimitKw), e.ValidFrom, e.ValidUntil)).ToList(),
        r.Participating,
        r.ManualOverrideUntil,
        r.OptedOutOf.ToHashSet(StringComparer.Ordinal),
        r.At);

    public static BatteryCapabilityReport ToReport(this BatteryCapability b, double presentKw) =>
        new(b.DeviceId, b.Now.Kw, b.MaxDischarge.Kw, b.MaxCharge.Kw, b.UpEnergy.Kwh, b.DownEnergy.Kwh, presentKw);

    public static DispatchDirection Direction(double powerKw) => powerKw >= 0 ? DispatchDirection.Up : DispatchDirection.Down;
}
