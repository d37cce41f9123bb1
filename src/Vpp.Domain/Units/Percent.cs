using System.Globalization;
namespace Vpp.Domain.Units;

/// <summary>A percentage in [0, 100], e.g. state of charge or backup reserve.</summary>
public readonly record struct Percent
{
    public double Value { get; }

    public Percent(double value)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
            throw new ArgumentOutOfRangeException(nameof(value), value, "A percentage must be between 0 and 100.");
        Value = value;
    }

    public double Fraction => Value / 100.0;
    public static Percent FromFraction(double f) => new(Math.Clamp(f, 0, 1) * 100.0);
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value:0.##} %");
}
