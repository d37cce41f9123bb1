using NodaTime;

namespace Vpp.Domain.Telemetry;

/// <summary>
/// Which readings a twin has already seen. A reading is a repeat when its <c>seq</c> is not above the
/// last one taken. By seq alone, though, one reading carrying an absurd seq (a bug, or a forged message
/// on Kafka, where no device token is checked) would make every later real reading look old, for good.
/// So a reading newer in time whose seq lies more than <see cref="MaxSeqDrop"/> below the last one
/// is taken as the counter starting again. Ordinary resends (a little below the last seq, or not newer
/// in time) stay repeats, so history is not counted twice; a forged future <c>ts</c> is bounded by the
/// protocol's clock-skew limit.
/// </summary>
public static class TelemetryOrder
{
    /// <summary>Far more readings than a device sends between two connections (a year at one a second is about 3 × 10⁷).</summary>
    public const long MaxSeqDrop = 1_000_000_000;

    /// <param name="newestTs">The newest <c>ts</c> among the readings taken; null when none was.</param>
    public static bool IsRepeat(long seq, Instant ts, long lastSeq, Instant? newestTs)
    {
        if (seq > lastSeq) return false;
        var restarted = newestTs is { } newest && ts > newest && lastSeq - seq > MaxSeqDrop;
        return !restarted;
    }
}
