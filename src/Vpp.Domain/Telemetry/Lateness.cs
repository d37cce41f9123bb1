using NodaTime;

namespace Vpp.Domain.Telemetry;

public enum ReadingTiming
{
    /// <summary>Folded into its bucket.</summary>
    Accepted,
    /// <summary>Older than the device's newest reading by more than the allowed lateness.</summary>
    TooLate,
    /// <summary>Older than the backfill horizon: history that far back is closed.</summary>
    BeyondBackfill,
}

/// <summary>
/// Event-time acceptance. Lateness is measured per device against the newest ts it has sent (its
/// watermark), not against the server clock: a device that was offline for an hour and uploads its
/// buffer in order is on time, while a straggler from 20 minutes before the device's newest reading
/// is late. The backfill horizon bounds how old anything may be, against the server clock.
/// </summary>
public sealed record LatenessPolicy(Duration AllowedLateness, Duration BackfillHorizon)
{
    public static readonly LatenessPolicy Default = new(Duration.FromMinutes(10), Duration.FromDays(7));

    public ReadingTiming Classify(Instant ts, Instant? deviceWatermark, Instant now)
    {
        if (ts < now - BackfillHorizon) return ReadingTiming.BeyondBackfill;
        if (deviceWatermark is { } w && ts < w - AllowedLateness) return ReadingTiming.TooLate;
        return ReadingTiming.Accepted;
    }
}
