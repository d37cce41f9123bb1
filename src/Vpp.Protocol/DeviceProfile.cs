namespace Vpp.Protocol;

/// <summary>What the parser needs to know about the connected device to validate its frames.</summary>
/// <param name="RatingKw">Largest power rating of the device; power beyond 1.5x this is rejected. 0 = no rating (meters).</param>
public sealed record DeviceProfile(string DeviceId, DeviceKind Kind, double RatingKw)
{
    public const double RatingTolerance = 1.5;

    /// <summary>
    /// The connection a site meter measures, when none is registered: generous for a home (a 3 × 63 A
    /// connection is about 43 kW). Without a bound one absurd reading overflowed history merges and fleet sums.
    /// </summary>
    public const double MeterRatingKw = 100;

    /// <summary>The rating power is checked against: the registered one, or a home's connection for a meter without one.</summary>
    public double EffectiveRatingKw => Kind == DeviceKind.Meter && RatingKw <= 0 ? MeterRatingKw : RatingKw;

    public double MaxPlausibleKw => EffectiveRatingKw * RatingTolerance;
}
