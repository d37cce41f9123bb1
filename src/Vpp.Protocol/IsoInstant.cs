using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Protocol;

/// <summary>
/// ISO-8601 UTC instants (NodaTime's extended ISO pattern, e.g. <c>2026-01-31T12:00:00.25Z</c>) read
/// straight from UTF-8. The usual shape — <c>yyyy-MM-ddTHH:mm:ss</c>, up to nine fraction digits
/// after a dot, <c>Z</c> — is parsed without allocating, since every telemetry message and Kafka
/// header carries one; anything else is left to NodaTime's pattern, which decides.
/// </summary>
public static class IsoInstant
{
    private const int MaxFallbackBytes = 64;
    private static readonly long[] NanosPerDigit = [100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

    public static bool TryParse(ReadOnlySpan<byte> utf8, out Instant value)
    {
        if (TryParseCommonShape(utf8, out value)) return true;
        value = default;
        if (utf8.Length > MaxFallbackBytes) return false;
        var parsed = InstantPattern.ExtendedIso.Parse(Encoding.UTF8.GetString(utf8));
        if (!parsed.Success) return false;
        value = parsed.Value;
        return true;
    }

    /// <summary>True only for well-formed, in-range values of the common shape; false means "not decided here".</summary>
    internal static bool TryParseCommonShape(ReadOnlySpan<byte> s, out Instant value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z') return false;
        if (!Digits(s.Slice(0, 4), out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        long nanos = 0;
        if (s.Length > 20)
        {
            var fraction = s[20..^1];
            if (s[19] != '.' || fraction.Length is 0 or > 9 || !Digits(fraction, out var digits)) return false;
            nanos = digits * NanosPerDigit[fraction.Length - 1];
        }
        value = Instant.FromUtc(year, month, day, hour, minute, second).PlusNanoseconds(nanos);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
