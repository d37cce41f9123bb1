using System.Globalization;
using NodaTime;

namespace Vpp.Domain.Units;

/// <summary>
/// Electrical power in kilowatts. Sign convention (product-wide, see docs/conventions.md):
/// positive = flowing out of a device into the home/grid (discharging, producing),
/// negative = flowing into the device (charging).
/// </summary>
public readonly record struct Power(double Kw) : IComparable<Power>
{
    public static readonly Power Zero = new(0);

    public static Power FromKw(double kw) => new(kw);

    public static Power operator +(Power a, Power b) => new(a.Kw + b.Kw);
    public static Power operator -(Power a, Power b) => new(a.Kw - b.Kw);
    public static Power operator -(Power a) => new(-a.Kw);
    public static Power operator *(Power a, double k) => new(a.Kw * k);
    public static Energy operator *(Power p, Duration d) => new(p.Kw * d.TotalHours);
    public static bool operator <(Power a, Power b) => a.Kw < b.Kw;
    public static bool operator >(Power a, Power b) => a.Kw > b.Kw;
    public static bool operator <=(Power a, Power b) => a.Kw <= b.Kw;
    public static bool operator >=(Power a, Power b) => a.Kw >= b.Kw;

    public Power Clamp(Power min, Power max) => new(Math.Clamp(Kw, min.Kw, max.Kw));
    public Power Abs() => new(Math.Abs(Kw));
    public int CompareTo(Power other) => Kw.CompareTo(other.Kw);
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kw:0.###} kW");
}
