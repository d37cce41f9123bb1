using Vpp.Domain.Units;

namespace Vpp.Domain.Batteries;

/// <summary>
/// Decides whether a battery may be asked to run at a power: never past its inverter limits,
/// never discharging at or below the home's backup reserve.
/// </summary>
public static class SetpointPolicy
{
    /// <returns>null when allowed, otherwise the reason it is refused.</returns>
    public static string? Refusal(BatterySpec spec, Power requested, Percent? soc, Percent backupReserve)
    {
        if (!double.IsFinite(requested.Kw)) return "powerKw must be a finite number.";
        if (requested > spec.MaxDischarge)
            return $"powerKw {requested.Kw} exceeds the battery's max discharge of {spec.MaxDischarge.Kw} kW.";
        if (requested < -spec.MaxCharge)
            return $"powerKw {requested.Kw} exceeds the battery's max charge of {spec.MaxCharge.Kw} kW.";
        if (requested.Kw > 0 && soc is { } s && s.Value <= backupReserve.Value)
            return $"state of charge {s.Value:0.#} % is at or below the backup reserve of {backupReserve.Value:0.#} %; discharge refused.";
        return null;
    }

    /// <summary>True when a running discharge must stop because the reserve was reached.</summary>
    public static bool MustStopDischarge(Power running, Percent soc, Percent backupReserve) =>
        running.Kw > 0 && soc.Value <= backupReserve.Value;
}
