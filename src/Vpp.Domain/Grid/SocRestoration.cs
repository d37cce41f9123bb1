using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// Brings a frequency-committed battery back into its SoC window while the grid is quiet (frequency
/// inside the deadband): charge when below the window, discharge when above, with the power the
/// commitment leaves free, aiming at the window's middle. Null: nothing to do.
/// </summary>
public static class SocRestoration
{
    /// <summary>
    /// The grid is quiet when no frequency reading is known, the latest is inside the deadband, or it is
    /// older than <paramref name="staleAfter"/> (the signal stopped: the excursion it described is over).
    /// </summary>
    public static bool GridIsQuiet(double? latestHz, Duration latestAge, Duration staleAfter) =>
        latestHz is not { } hz || DroopSettings.Standard.InDeadband(hz) || latestAge > staleAfter;

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
