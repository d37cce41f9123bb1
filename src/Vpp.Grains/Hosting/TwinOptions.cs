using NodaTime;

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

    public Duration StaleAfter => TelemetryInterval * StaleAfterIntervals;
}
