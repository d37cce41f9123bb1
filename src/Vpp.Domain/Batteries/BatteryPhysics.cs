using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Batteries;

/// <summary>Result of integrating a battery over one step.</summary>
/// <param name="Power">Power actually delivered at the terminals (+ discharge, − charge).</param>
/// <param name="Soc">State of charge after the step.</param>
public readonly record struct BatteryStep(Power Power, Percent Soc);

/// <summary>
/// Integrates state of charge over time. Terminal power P for dt moves P·dt/ηd out of the cells
/// when discharging and |P|·dt·ηc into the cells when charging. Power is limited by the inverter
/// ratings and by the energy left between <c>floor</c> and full, so a step never overshoots.
/// </summary>
public static class BatteryPhysics
{
    public static BatteryStep Step(BatterySpec spec, Percent soc, Power requested, Duration dt, Percent floor)
    {
        if (dt <= Duration.Zero) return new BatteryStep(Power.Zero, soc);
        if (double.IsNaN(requested.Kw)) requested = Power.Zero;

        var power = requested.Clamp(-spec.MaxCharge, spec.MaxDischarge);
        var stored = spec.StoredAt(soc);
        var hours = dt.TotalHours;

        if (power.Kw > 0)
        {
            var available = (stored - spec.StoredAt(floor)).AtLeastZero();
            var maxByEnergy = available.Kwh * spec.DischargeEfficiency / hours;
            power = new Power(Math.Min(power.Kw, maxByEnergy));
            stored -= new Energy(power.Kw * hours / spec.DischargeEfficiency);
        }
        else if (power.Kw < 0)
        {
            var room = (spec.Capacity - stored).AtLeastZero();
            var maxByRoom = room.Kwh / spec.ChargeEfficiency / hours;
            power = new Power(-Math.Min(-power.Kw, maxByRoom));
            stored += new Energy(-power.Kw * hours * spec.ChargeEfficiency);
        }

        return new BatteryStep(power, Percent.FromFraction(stored.Kwh / spec.Capacity.Kwh));
    }
}
