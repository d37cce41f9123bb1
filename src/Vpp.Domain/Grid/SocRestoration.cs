using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// Brings a frequency-committed battery back into its SoC window while the grid is quiet (frequency
/// inside the deadband): charge when below the window, discharge when above, with the power the
/// commitment leaves free, aiming at the window's middle. Null: nothing to do.
/// </summary>
public static class SocRestoration
{
    public static Power? Setpoint(Batteries.BatterySpec spec, Percent soc, Percent reserve, Power committed)
    {
        if (committed.Kw <= 0 || FrequencyReserve.SocWindow(spec, reserve, committed) is not { } window) return null;
        var free = new Power(Math.Max(0, Math.Min(spec.MaxCharge.Kw, spec.MaxDischarge.Kw) - committed.Kw));
        if (free.Kw <= 0) return null;
        if (soc.Value < window.Low.Value) return -free;    // charge
        if (soc.Value > window.High.Value) return free;     // discharge
        return null;
    }
}
