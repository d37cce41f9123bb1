using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Solar;

/// <summary>
/// Clear-sky PV output: solar elevation from the NOAA approximations (declination and equation of
/// time from the day of year), irradiance from the Haurwitz clear-sky model, and a performance
/// ratio for inverter, temperature and soiling losses. Good to a few percent for a flat-ish array;
/// the simulator adds cloud noise on top.
/// </summary>
public static class ClearSkyPv
{
    private const double PerformanceRatio = 0.85;
    private const double StcIrradianceWm2 = 1000;

    public static double SolarElevationDeg(GeoLocation where, Instant when)
    {
        var utc = when.InUtc();
        var dayOfYear = utc.DayOfYear;
        var hourUtc = utc.TimeOfDay.TickOfDay / (double)NodaConstants.TicksPerHour;
        var gamma = 2 * Math.PI / 365.0 * (dayOfYear - 1 + (hourUtc - 12) / 24.0);

        var eqTimeMin = 229.18 * (0.000075 + 0.001868 * Math.Cos(gamma) - 0.032077 * Math.Sin(gamma)
                                  - 0.014615 * Math.Cos(2 * gamma) - 0.040849 * Math.Sin(2 * gamma));
        var decl = 0.006918 - 0.399912 * Math.Cos(gamma) + 0.070257 * Math.Sin(gamma)
                   - 0.006758 * Math.Cos(2 * gamma) + 0.000907 * Math.Sin(2 * gamma)
                   - 0.002697 * Math.Cos(3 * gamma) + 0.00148 * Math.Sin(3 * gamma);

        var trueSolarMin = hourUtc * 60 + eqTimeMin + 4 * where.LongitudeDeg;
        var hourAngle = (trueSolarMin / 4 - 180) * Math.PI / 180;
        var lat = where.LatitudeDeg * Math.PI / 180;
        var cosZenith = Math.Sin(lat) * Math.Sin(decl) + Math.Cos(lat) * Math.Cos(decl) * Math.Cos(hourAngle);
        return 90 - Math.Acos(Math.Clamp(cosZenith, -1, 1)) * 180 / Math.PI;
    }

    /// <summary>Global horizontal irradiance under a clear sky, W/m² (Haurwitz 1945).</summary>
    public static double ClearSkyIrradianceWm2(double elevationDeg)
    {
        if (elevationDeg <= 0) return 0;
        var sinEl = Math.Sin(elevationDeg * Math.PI / 180);
        return 1098 * sinEl * Math.Exp(-0.057 / sinEl);
    }

    public static Power Output(Power rated, GeoLocation where, Instant when)
    {
        var ghi = ClearSkyIrradianceWm2(SolarElevationDeg(where, when));
        var kw = rated.Kw * PerformanceRatio * ghi / StcIrradianceWm2;
        return new Power(Math.Clamp(kw, 0, rated.Kw));
    }

    /// <summary>
    /// A stand-in location when a site registered none: 50° latitude on the meridian of the time
    /// zone's standard offset (15° per hour), so the sun peaks near local noon.
    /// </summary>
    public static GeoLocation DefaultFor(DateTimeZone zone, Instant when)
    {
        var offsetHours = zone.GetUtcOffset(when).Seconds / 3600.0;
        var lon = Math.Clamp(offsetHours * 15, -180, 180);
        return new GeoLocation(50, lon);
    }
}
