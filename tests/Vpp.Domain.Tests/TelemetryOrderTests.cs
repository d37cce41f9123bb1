using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Domain.Tests;

public class TelemetryOrderTests
{
    private static readonly Instant T = Instant.FromUtc(2026, 12, 3, 12, 0);

    [Theory]
    // seq, seconds after the newest ts taken, repeat? (last seq taken: 10)
    [InlineData(11, 0, false)]    // the next seq
    [InlineData(11, -600, false)] // a backfilled reading: older ts, new seq
    [InlineData(10, 0, true)]     // the same reading again
    [InlineData(3, -5, true)]     // an older one resent
    [InlineData(3, 1, true)]      // a little below the last seq: a resend or a broken counter, never counted twice
    public void A_reading_not_above_the_last_seq_is_a_repeat(long seq, int seconds, bool repeat) =>
        TelemetryOrder.IsRepeat(seq, T + Duration.FromSeconds(seconds), lastSeq: 10, newestTs: T).Should().Be(repeat);

    [Fact]
    public void Nothing_taken_yet_means_no_repeat_even_at_seq_0() =>
        TelemetryOrder.IsRepeat(0, T, lastSeq: -1, newestTs: null).Should().BeFalse();

    [Fact]
    public void A_reading_with_the_largest_seq_does_not_blind_the_twin_to_later_real_ones()
    {
        TelemetryOrder.IsRepeat(12, T + Duration.FromSeconds(1), lastSeq: long.MaxValue, newestTs: T).Should().BeFalse();
        // ... but a real reading resent (not newer in time) stays a repeat.
        TelemetryOrder.IsRepeat(12, T, lastSeq: long.MaxValue, newestTs: T).Should().BeTrue();
    }

    [Fact]
    public void The_restart_needs_a_drop_beyond_any_real_counter()
    {
        var last = 5_000_000_000L;
        TelemetryOrder.IsRepeat(last - TelemetryOrder.MaxSeqDrop, T + Duration.FromSeconds(1), last, T).Should().BeTrue();
        TelemetryOrder.IsRepeat(last - TelemetryOrder.MaxSeqDrop - 1, T + Duration.FromSeconds(1), last, T).Should().BeFalse();
    }
}
