using NodaTime;
using Vpp.Host.Devices;

namespace Vpp.EndToEnd.Tests;

/// <summary>The documented flood limits at the limit, not only past it (docs/device-protocol.md): 50 frames/s
/// sustained with a burst of 200, and at most 20 bad frames in 10 s.</summary>
public class FloodGuardTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 12, 0);

    [Fact]
    public void The_hosts_defaults_are_the_documented_limits()
    {
        var defaults = new Vpp.Host.Hosting.VppHostOptions();
        (defaults.MaxMessagesPerSecond, defaults.MessageBurst, defaults.MaxBadFramesPer10s).Should().Be((50.0, 200, 20));
    }

    [Fact]
    public void A_burst_of_200_frames_passes_the_201st_does_not_and_50_a_second_come_back()
    {
        var guard = new FloodGuard(50, 200, 20);
        Enumerable.Range(0, 200).Select(_ => guard.AllowFrame(T0)).ToArray().Should().AllBeEquivalentTo(true);
        guard.AllowFrame(T0).Should().BeFalse();

        var later = T0 + Duration.FromSeconds(1);
        Enumerable.Range(0, 50).Select(_ => guard.AllowFrame(later)).ToArray().Should().AllBeEquivalentTo(true, "a second refills 50");
        guard.AllowFrame(later).Should().BeFalse();
    }

    [Fact]
    public void A_steady_50_frames_a_second_is_allowed_for_ever()
    {
        var guard = new FloodGuard(50, 200, 20);
        for (var i = 0; i < 50 * 60; i++)
            guard.AllowFrame(T0 + Duration.FromMilliseconds(20 * i)).Should().BeTrue($"frame {i} at 50/s");
    }

    [Fact]
    public void Twenty_bad_frames_in_ten_seconds_pass_the_21st_does_not_and_old_ones_age_out()
    {
        var guard = new FloodGuard(50, 200, 20);
        for (var i = 0; i < 20; i++) guard.AllowBadFrame(T0 + Duration.FromMilliseconds(100 * i)).Should().BeTrue();
        guard.AllowBadFrame(T0 + Duration.FromSeconds(5)).Should().BeFalse();

        var fresh = new FloodGuard(50, 200, 20);
        for (var i = 0; i < 20; i++) fresh.AllowBadFrame(T0).Should().BeTrue();
        fresh.AllowBadFrame(T0 + Duration.FromSeconds(10) + Duration.FromMilliseconds(1)).Should().BeTrue("the first twenty are more than 10 s old");
    }
}
