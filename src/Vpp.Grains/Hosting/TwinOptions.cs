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

    /// <summary>A watched site publishes at most this often.</summary>
    public Duration LiveSpacing { get; set; } = Duration.FromMilliseconds(500);

    /// <summary>How long a watched site waits after a reading for its other devices' readings of the same moment.</summary>
    public Duration LiveCoalesce { get; set; } = Duration.FromMilliseconds(50);

    /// <summary>How long a site keeps publishing live state after a viewer last asked (hosts renew every minute).</summary>
    public Duration WatchLease { get; set; } = Duration.FromMinutes(2);

    /// <summary>A site reports to the fleet at least this often even without a significant change.</summary>
    public Duration SiteReportInterval { get; set; } = Duration.FromSeconds(5);

    /// <summary>Changes smaller than this (kW) are not significant enough to report to the fleet at once.</summary>
    public double SignificantChangeKw { get; set; } = 0.5;

    public TelemetryHistoryOptions History { get; set; } = new();

    public GridBalancingOptions Grid { get; set; } = new();

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

/// <summary>Dispatch execution: baselines, delivery measurement, acknowledgements (docs/grid-balancing.md).</summary>
public sealed class GridBalancingOptions
{
    /// <summary>A site's baseline is its mean grid flow over this long before the dispatch starts.</summary>
    public Duration BaselineWindow { get; set; } = Duration.FromMinutes(5);

    /// <summary>Delivery is measured and reported once per interval (the last one ends with the window).</summary>
    public Duration DeliveryInterval { get; set; } = Duration.FromMinutes(1);

    /// <summary>Resolution of each site's grid trace; memory per site = retention ÷ bucket slots.</summary>
    public Duration TraceBucket { get; set; } = Duration.FromSeconds(5);

    /// <summary>How much grid history each site keeps (at least baseline window + delivery interval).</summary>
    public Duration TraceRetention { get; set; } = Duration.FromMinutes(20);

    /// <summary>A dispatch setpoint not accepted by its device within this long counts as failed, and its share moves.</summary>
    public Duration AckTimeout { get; set; } = Duration.FromSeconds(10);

    /// <summary>Central frequency response setpoints last this long unless renewed (devices fall back when signals stop).</summary>
    public Duration CentralResponseValidity { get; set; } = Duration.FromSeconds(10);

    /// <summary>How often committed batteries are checked against their SoC window while the frequency is quiet.</summary>
    public Duration SocCheckInterval { get; set; } = Duration.FromSeconds(30);

    /// <summary>How many times a share that sites refuse is offered to others before the rest is left unplaced.</summary>
    public int ReallocationRounds { get; set; } = 3;

    /// <summary>A dispatch may start at most this far ahead; later ones are refused (recorded as rejected).</summary>
    public Duration MaxDispatchLead { get; set; } = Duration.FromDays(7);
}
