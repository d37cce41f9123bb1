namespace Vpp.Domain.Solar;

public readonly record struct GeoLocation
{
    public GeoLocation(double latitudeDeg, double longitudeDeg)
    {
        if (double.IsNaN(latitudeDeg) || latitudeDeg < -90 || latitudeDeg > 90)
            throw new ArgumentOutOfRangeException(nameof(latitudeDeg), "Latitude must be in [-90, 90] degrees.");
        if (double.IsNaN(longitudeDeg) || longitudeDeg < -180 || longitudeDeg > 180)
            throw new ArgumentOutOfRangeException(nameof(longitudeDeg), "Longitude must be in [-180, 180] degrees.");
        LatitudeDeg = latitudeDeg;
        LongitudeDeg = longitudeDeg;
    }

    public double LatitudeDeg { get; }
    public double LongitudeDeg { get; }
}
