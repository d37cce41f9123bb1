using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Units;

namespace Vpp.Domain.Flexibility;

/// <summary>
/// What a battery can offer from where it is now, as absolute capabilities: <c>Up</c> is the
/// discharge power it can give (power out, positive) and <c>Down</c> the charging power it can
/// take (reported as a positive magnitude), each with the energy behind it at the terminals and
/// how long it lasts at full power. Energy below the backup reserve is never offered.
/// </summary>
public sealed record BatteryFlexibility(Power Up, Energy UpEnergy, Duration UpDuration, Power Down, Energy DownEnergy, Duration DownDuration)
{
    public static readonly BatteryFlexibility None =
        new(Power.Zero, Energy.Zero, Duration.Zero, Power.Zero, Energy.Zero, Duration.Zero);

    public static BatteryFlexibility Of(BatterySpec spec, Percent soc, Percent backupReserve)
    {
        var stored = spec.StoredAt(soc);
        var aboveReserve = (stored - spec.StoredAt(backupReserve)).AtLeastZero();
        var room = (spec.Capacity - stored).AtLeastZero();

        // Energy at the terminals: discharging loses on the way out, charging on the way in.
        var upEnergy = aboveReserve * spec.DischargeEfficiency;
        var downEnergy = room / spec.ChargeEfficiency;

        var up = upEnergy.Kwh > 0 ? spec.MaxDischarge : Power.Zero;
        var down = downEnergy.Kwh > 0 ? spec.MaxCharge : Power.Zero;
        return new BatteryFlexibility(
            up, upEnergy, up.Kw > 0 ? upEnergy.At(up) : Duration.Zero,
            down, downEnergy, down.Kw > 0 ? downEnergy.At(down) : Duration.Zero);
    }

    public static BatteryFlexibility operator +(BatteryFlexibility a, BatteryFlexibility b) =>
        new(a.Up + b.Up, a.UpEnergy + b.UpEnergy, Duration.Max(a.UpDuration, b.UpDuration),
            a.Down + b.Down, a.DownEnergy + b.DownEnergy, Duration.Max(a.DownDuration, b.DownDuration));
}
