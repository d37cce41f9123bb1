using NodaTime;
using Vpp.Domain.Telemetry;
using Vpp.Persistence.Telemetry;

namespace Vpp.Persistence.Tests;

public class RollupBufferTests
{
    private static readonly Instant Minute0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);

    [Fact]
    public void Running_minutes_stay_until_they_end_and_ended_ones_are_taken_once()
    {
        var buffer = new RollupBuffer();
        for (var i = 0; i < 90; i++) buffer.Add("s", "d", SiteFlow.Pv, Second, null, Minute0 + Second * i, 1, null, null);

        buffer.Drain(Minute0 + Second * 59).Should().BeEmpty("minute 0 has not ended yet");
        var ended = buffer.Drain(Minute0 + Duration.FromMinutes(1));
        ended.Should().ContainSingle().Which.Power.Count.Should().Be(60);
        buffer.Count.Should().Be(1, "minute 1 is still running");
        buffer.Drain(Minute0 + Duration.FromMinutes(1) + Second * 30).Should().BeEmpty();

        // A late reading for the written minute 0 comes back as a small partial row to merge.
        buffer.Add("s", "d", SiteFlow.Pv, Second, null, Minute0 + Second * 5, 1, null, null);
        buffer.Drain(Minute0 + Duration.FromMinutes(1) + Second * 31).Should().ContainSingle().Which.Power.Count.Should().Be(1);
        buffer.Drain().Should().ContainSingle().Which.Power.Count.Should().Be(30, "shutdown takes running minutes too");
        buffer.Count.Should().Be(0);
    }

    [Fact]
    public async Task Concurrent_adds_during_drains_lose_nothing()
    {
        var buffer = new RollupBuffer();
        var drained = new List<DeviceMinuteRollup>();
        var adders = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++) buffer.Add("s", "d" + (i % 50), SiteFlow.Battery, Second, 10, Minute0 + Second * (i % 600), 1, null, 50);
        })).ToArray();
        while (!adders.All(a => a.IsCompleted)) drained.AddRange(buffer.Drain());
        await Task.WhenAll(adders);
        drained.AddRange(buffer.Drain());
        drained.Sum(r => r.Power.Count).Should().Be(80_000);
    }
}
