using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Grains.Hosting;

public sealed class TwinOptions
{
    /// <summary>How often devices are asked to report (sent in <c>welcome</c>).</summary>
    public Duration TelemetryInterval { get; set; } = Duration.FromSeconds(1);

    /// <summary>A device silent for this many intervals is stale and excluded from flexibility.</summary>
    public int StaleAfterIntervals { get; set; } = 3;

    /// <summary>How often a site / the fleet pushes live state when something changed.</summary>
    public Duration PublishInterval { get; set; } = Duration.FromSeconds(1);

    /// <summary>A site reports to the fleet at least this often even without a significant change.</summary>
    public Duration SiteReportInterval { get; set; } = Duration.FromSeconds(5);

    /// <summary>Changes smaller than this (kW) are not significant enough to report to the fleet at once.</summary>
    public double SignificantChangeKw { get; set; } = 0.5;

    public TelemetryHistoryOptions History { get; set; } = new();

    public Duration StaleAfter => TelemetryInterval * StaleAfterIntervals;
}

/// <summary>Telemetry history (minute rollups): how late a reading may be and how often rollups are written.</summary>
public sealed class TelemetryHistoryOptions
{
    /// <summary>A reading older than its device's newest reading by more than this is dropped (and counted).</summary>
    public Duration AllowedLateness { get; set; } = Duration.FromMinutes(10);

    /// <summary>Nothing older than this (against the server clock) is accepted, even from a backfill.</summary>
    public Duration BackfillHorizon { get; set; } = Duration.FromDays(7);

    /// <summary>How often the per-host buffer is merged into the store.</summary>
    public Duration FlushInterval { get; set; } = Duration.FromSeconds(5);

    public LatenessPolicy Policy => new(AllowedLateness, BackfillHorizon);
}
