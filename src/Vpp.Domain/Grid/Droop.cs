using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// Frequency response by droop: nothing inside ±deadband around nominal, full committed power at
/// ±full activation, linear in between. Under-frequency asks for more power out (discharge, +);
/// over-frequency for power in (charge, −). Defaults: 50 Hz, ±10 mHz, ±200 mHz.
/// </summary>
public sealed record DroopSettings(Power Committed, double NominalHz = 50, double DeadbandHz = 0.010, double FullActivationHz = 0.200)
{
    /// <summary>The product's droop shape (defaults above) with nothing committed yet.</summary>
    public static readonly DroopSettings Standard = new(Power.Zero);

    /// <summary>Whether <paramref name="hz"/> is inside the deadband: no response is due, whatever is committed.</summary>
    public bool InDeadband(double hz) =>
        double.IsFinite(hz) ? Math.Abs(NominalHz - hz) <= DeadbandHz : throw new ArgumentOutOfRangeException(nameof(hz), "Frequency must be a finite number.");

    public Power Response(double hz)
    {
        if (InDeadband(hz)) return Power.Zero;
        var deviation = NominalHz - hz; // > 0: under-frequency → discharge
        var magnitude = Math.Abs(deviation);
        var share = Math.Min(1, (magnitude - DeadbandHz) / (FullActivationHz - DeadbandHz));
        return Committed.Abs() * (share * Math.Sign(deviation));
    }
}
