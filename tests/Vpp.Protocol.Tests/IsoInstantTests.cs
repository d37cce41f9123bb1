using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Protocol.Tests;

/// <summary>The allocation-free reader must agree with NodaTime's extended ISO pattern on every input.</summary>
public class IsoInstantTests
{
    private static (bool Ok, Instant Value) Fast(string text) => (IsoInstant.TryParse(Encoding.UTF8.GetBytes(text), out var v), v);

    private static (bool Ok, Instant Value) NodaTimes(string text)
    {
        var r = InstantPattern.ExtendedIso.Parse(text);
        return (r.Success, r.Success ? r.Value : default);
    }

    [Theory]
    [InlineData("2026-11-23T11:59:59Z")]
    [InlineData("2026-11-23T11:59:59.5Z")]
    [InlineData("2026-11-23T11:59:59.123456789Z")]
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.999999999Z")]
    [InlineData("2026-11-23T11:59:59,25Z")]
    [InlineData("2026-11-23T11:59:59.Z")]
    [InlineData("2026-11-23T11:59:59.1234567891Z")]
    [InlineData("2025-02-29T00:00:00Z")]
    [InlineData("2026-04-31T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-00-01T00:00:00Z")]
    [InlineData("2026-11-23T24:00:00Z")]
    [InlineData("2026-11-23T23:60:00Z")]
    [InlineData("2026-11-23T23:59:60Z")]
    [InlineData("2026-11-23T11:59:59z")]
    [InlineData("2026-11-23t11:59:59Z")]
    [InlineData("2026-11-23T11:59:59+01:00")]
    [InlineData("2026-11-23T11:59:59")]
    [InlineData("2026-11-23 11:59:59Z")]
    [InlineData("2026-1-23T11:59:59Z")]
    [InlineData("+2026-11-23T11:59:59Z")]
    [InlineData("2026-11-23T11:59:5aZ")]
    [InlineData("２０２６-11-23T11:59:59Z")]
    [InlineData("")]
    [InlineData("Z")]
    public void Agrees_with_NodaTime(string text) => Fast(text).Should().Be(NodaTimes(text), text);

    [Fact]
    public void Agrees_with_NodaTime_on_random_instants_at_every_precision()
    {
        var rng = new Random(20261124);
        for (var i = 0; i < 20_000; i++)
        {
            var instant = Instant.FromUnixTimeTicks(rng.NextInt64(Instant.FromUtc(1, 1, 1, 0, 0).ToUnixTimeTicks(), Instant.FromUtc(9999, 12, 31, 23, 59).ToUnixTimeTicks()))
                .PlusNanoseconds(rng.Next(0, 100));
            var digits = rng.Next(0, 10);
            var text = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss" + (digits == 0 ? "" : "." + new string('f', digits)) + "'Z'").Format(instant);
            Fast(text).Should().Be(NodaTimes(text), text);
        }
    }

    [Fact]
    public void Too_long_input_is_refused_without_parsing_it()
    {
        IsoInstant.TryParse(Encoding.UTF8.GetBytes("2026-11-23T11:59:59" + new string(' ', 100) + "Z"), out _).Should().BeFalse();
    }
}
