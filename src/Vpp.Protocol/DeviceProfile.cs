namespace Vpp.Protocol;

/// <summary>What the parser needs to know about the connected device to validate its frames.</summary>
/// <param name="RatingKw">Largest power rating of the device; power beyond 1.5x this is rejected. 0 = no rating (meters).</param>
public sealed record DeviceProfile(string DeviceId, DeviceKind Kind, double RatingKw)
{
    public const double RatingTolerance = 1.5;
    public double MaxPlausibleKw => RatingKw * RatingTolerance;
}
