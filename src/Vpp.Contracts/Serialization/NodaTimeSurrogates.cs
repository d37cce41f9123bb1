using NodaTime;

namespace Vpp.Contracts.Serialization;

// NodaTime types have no Orleans codec. Surrogates keep full nanosecond precision
// (days + nanosecond-of-day), unlike a ticks-based form which would silently drop nanoseconds.

[GenerateSerializer, Alias("vpp.Instant")]
public struct InstantSurrogate
{
    [Id(0)] public int Days;
    [Id(1)] public long NanosecondOfDay;
}

[RegisterConverter]
public sealed class InstantSurrogateConverter : IConverter<Instant, InstantSurrogate>
{
    public Instant ConvertFromSurrogate(in InstantSurrogate s) =>
        NodaConstants.UnixEpoch + Duration.FromDays(s.Days) + Duration.FromNanoseconds(s.NanosecondOfDay);

    public InstantSurrogate ConvertToSurrogate(in Instant value)
    {
        var sinceEpoch = value - NodaConstants.UnixEpoch;
        return new InstantSurrogate { Days = sinceEpoch.Days, NanosecondOfDay = sinceEpoch.NanosecondOfDay };
    }
}

[GenerateSerializer, Alias("vpp.Duration")]
public struct DurationSurrogate
{
    [Id(0)] public int Days;
    [Id(1)] public long NanosecondOfDay;
}

[RegisterConverter]
public sealed class DurationSurrogateConverter : IConverter<Duration, DurationSurrogate>
{
    public Duration ConvertFromSurrogate(in DurationSurrogate s) =>
        Duration.FromDays(s.Days) + Duration.FromNanoseconds(s.NanosecondOfDay);

    public DurationSurrogate ConvertToSurrogate(in Duration value) =>
        new() { Days = value.Days, NanosecondOfDay = value.NanosecondOfDay };
}
