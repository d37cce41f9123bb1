using Vpp.Domain.Units;

namespace Vpp.Domain.Batteries;

/// <summary>
/// Nameplate of a home battery. Round-trip efficiency is split evenly between charging and
/// discharging (each leg = sqrt(RTE)), the usual assumption when only RTE is published.
/// </summary>
public sealed record BatterySpec
{
    public BatterySpec(Energy capacity, Power maxCharge, Power maxDischarge, double roundTripEfficiency)
    {
        if (!(capacity.Kwh > 0) || double.IsInfinity(capacity.Kwh))
            throw new ArgumentOutOfRangeException(nameof(capacity), "Capacity must be a positive number of kWh.");
        if (!(maxCharge.Kw > 0) || double.IsInfinity(maxCharge.Kw))
            throw new ArgumentOutOfRangeException(nameof(maxCharge), "Max charge power must be a positive number of kW (magnitude).");
        if (!(maxDischarge.Kw > 0) || double.IsInfinity(maxDischarge.Kw))
            throw new ArgumentOutOfRangeException(nameof(maxDischarge), "Max discharge power must be a positive number of kW.");
        if (!(roundTripEfficiency > 0 && roundTripEfficiency <= 1))
            throw new ArgumentOutOfRangeException(nameof(roundTripEfficiency), "Round-trip efficiency must be in (0, 1].");
        Capacity = capacity;
        MaxCharge = maxCharge;
        MaxDischarge = maxDischarge;
        RoundTripEfficiency = roundTripEfficiency;
    }

    public Energy Capacity { get; }
    /// <summary>Magnitude of the largest charging power (the power itself is negative).</summary>
    public Power MaxCharge { get; }
    public Power MaxDischarge { get; }
    public double RoundTripEfficiency { get; }
    public double ChargeEfficiency => Math.Sqrt(RoundTripEfficiency);
    public double DischargeEfficiency => Math.Sqrt(RoundTripEfficiency);

    /// <summary>The largest rating in either direction; device telemetry beyond 1.5x this is rejected.</summary>
    public Power Rating => MaxCharge > MaxDischarge ? MaxCharge : MaxDischarge;

    public Energy StoredAt(Percent soc) => Capacity * soc.Fraction;
}
