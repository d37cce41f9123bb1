using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Load;

/// <summary>
/// A typical household's daily consumption shape (low at night, a morning and a larger evening
/// peak), interpolated linearly between hourly points and scaled so its daily mean equals the
/// given mean power. Local time matters: people cook at 19:00 local, not UTC.
/// </summary>
public sealed class HouseholdLoadProfile
{
    // Relative demand per local hour 0..23; normalised to mean 1 in the constructor.
    private static readonly double[] Shape =
    [
        0.45, 0.40, 0.38, 0.37, 0.38, 0.50, 0.85, 1.30, 1.25, 0.95, 0.85, 0.90,
        1.00, 0.95, 0.85, 0.85, 0.95, 1.25, 1.75, 1.95, 1.80, 1.50, 1.05, 0.70,
    ];

    private readonly double[] _normalised;

    public HouseholdLoadProfile(Power meanLoad)
    {
        if (!(meanLoad.Kw >= 0) || double.IsInfinity(meanLoad.Kw))
            throw new ArgumentOutOfRangeException(nameof(meanLoad), "Mean load must be a non-negative number of kW.");
        var mean = Shape.Average();
        _normalised = Shape.Select(s => s / mean * meanLoad.Kw).ToArray();
        MeanLoad = meanLoad;
    }

    public Power MeanLoad { get; }

    /// <summary>From annual consumption, e.g. 4 000 kWh/year ≈ 0.457 kW mean.</summary>
    public static HouseholdLoadProfile FromAnnual(Energy perYear) => new(new Power(perYear.Kwh / (365.25 * 24)));

    public Power At(LocalTime localTime)
    {
        var hour = localTime.TickOfDay / (double)NodaConstants.TicksPerHour;
        var i = (int)Math.Floor(hour) % 24;
        var frac = hour - Math.Floor(hour);
        var kw = _normalised[i] * (1 - frac) + _normalised[(i + 1) % 24] * frac;
        return new Power(kw);
    }

    public Power At(Instant when, DateTimeZone zone) => At(when.InZone(zone).TimeOfDay);
}
