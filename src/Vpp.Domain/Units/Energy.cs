using System.Globalization;
using NodaTime;

namespace Vpp.Domain.Units;

/// <summary>Energy in kilowatt-hours.</summary>
public readonly record struct Energy(double Kwh) : IComparable<Energy>
{
    public static readonly Energy Zero = new(0);

    public static Energy FromKwh(double kwh) => new(kwh);

    public static Energy operator +(Energy a, Energy b) => new(a.Kwh + b.Kwh);
    public static Energy operator -(Energy a, Energy b) => new(a.Kwh - b.Kwh);
    public static Energy operator *(Energy a, double k) => new(a.Kwh * k);
    public static Energy operator /(Energy a, double k) => new(a.Kwh / k);
    /// <summary>Energy spread over a duration gives the mean power.</summary>
    public static Power operator /(Energy e, Duration d) => new(e.Kwh / d.TotalHours);
    /// <summary>How long this energy lasts at the given power magnitude.</summary>
    public Duration At(Power p) => p.Kw == 0 ? Duration.MaxValue : Duration.FromHours(Kwh / Math.Abs(p.Kw));
    public static bool operator <(Energy a, Energy b) => a.Kwh < b.Kwh;
    public static bool operator >(Energy a, Energy b) => a.Kwh > b.Kwh;
    public static bool operator <=(Energy a, Energy b) => a.Kwh <= b.Kwh;
    public static bool operator >=(Energy a, Energy b) => a.Kwh >= b.Kwh;

    public Energy AtLeastZero() => Kwh < 0 ? Zero : this;
    public int CompareTo(Energy other) => Kwh.CompareTo(other.Kwh);
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kwh:0.###} kWh");
}
