using NodaTime;

namespace Vpp.Contracts.Grid;

[GenerateSerializer, Alias("vpp.DispatchStatus")]
public enum DispatchStatus
{
    Received,
    Accepted,
    Rejected,
    Started,
    Completed,
    Cancelled,
}

/// <summary>One delivery interval: the mean power delivered against the sites' baselines (signed as the request).</summary>
[GenerateSerializer, Immutable, Alias("vpp.DeliveryInterval")]
public sealed record DeliveryInterval(
    [property: Id(0)] Instant From,
    [property: Id(1)] Instant To,
    [property: Id(2)] double TargetKw,
    [property: Id(3)] double DeliveredKw,
    [property: Id(4)] int SitesMeasured);

/// <summary>A dispatch request and what the VPP decided and delivered.</summary>
[GenerateSerializer, Immutable, Alias("vpp.DispatchView")]
public sealed record DispatchView(
    [property: Id(0)] DispatchRequest Request,
    [property: Id(1)] DispatchStatus Status,
    [property: Id(2)] double AcceptedKw,
    [property: Id(3)] string? Reason,
    [property: Id(4)] IReadOnlyDictionary<string, double> Allocations,
    [property: Id(5)] IReadOnlyList<string> LostSites,
    [property: Id(6)] IReadOnlyList<DeliveryInterval> Intervals,
    [property: Id(7)] double? DeliveredKwh,
    [property: Id(8)] IReadOnlyDictionary<string, double> DeliveredKwhBySite);

/// <summary>One dispatch request (key = requestId); sole writer of its stream.</summary>
[Alias("vpp.IDispatchGrain")]
public interface IDispatchGrain : IGrainWithStringKey
{
    /// <summary>Records the request and decides on it at once: accepted (fully or partly) or rejected with a reason.</summary>
    [Alias("Request")]
    Task<DispatchRequestOutcome> Request(DispatchRequest request, string sourceEventId);

    [Alias("Get")]
    Task<DispatchRequest?> Get();

    [Alias("GetView")]
    Task<DispatchView?> GetView();

    /// <summary>A site can no longer carry its share (device dropped, rejected, timed out, homeowner opted out).</summary>
    [OneWay, Alias("SiteLost")]
    Task SiteLost(string siteId, string reason);

    /// <summary>
    /// After a restart of every host: holds the accepted kW in the region again and, if running,
    /// places the shares on their sites again with the baselines recorded at the start. Does
    /// nothing when this activation already placed them.
    /// </summary>
    [Alias("Resume")]
    Task Resume();

    /// <summary>Cancels before the start, or ends early while running. False when there is nothing to cancel.</summary>
    [Alias("Cancel")]
    Task<bool> Cancel(string reason);
}

/// <summary>
/// What a site does without dispatches: its grid flow (&gt; 0 import; null when unmeasured) and each
/// battery's power (&gt; 0 discharging), taken before the first dispatch it carries.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteBaseline")]
public sealed record SiteBaseline([property: Id(0)] double? GridKw, [property: Id(1)] IReadOnlyDictionary<string, double> BatteryKw);

/// <summary>
/// A site's part in a dispatch: move <see cref="DeltaKw"/> (magnitude) up or down until EndsAt.
/// <see cref="Baseline"/>: the baseline recorded when the site first took it (a dispatch resumed after a restart), else null.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteDispatchOrder")]
public sealed record SiteDispatchOrder(
    [property: Id(0)] string RequestId,
    [property: Id(1)] bool Up,
    [property: Id(2)] double DeltaKw,
    [property: Id(3)] Instant StartsAt,
    [property: Id(4)] Instant EndsAt,
    [property: Id(5)] SiteBaseline? Baseline = null);

/// <summary>Null reason: every battery took its setpoint; the site's baseline for the dispatch comes with it.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteDispatchResult")]
public sealed record SiteDispatchResult([property: Id(0)] string? FailureReason, [property: Id(1)] SiteBaseline? Baseline = null)
{
    public bool Ok => FailureReason is null;
}

/// <summary>
/// A site's grid flow (&gt; 0 import) in its baseline window and over one delivery interval (null when
/// unknown), and the share of the change that belongs to this request when overlapping requests use the site.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteDelivery")]
public sealed record SiteDelivery([property: Id(0)] double? BaselineGridKw, [property: Id(1)] double? GridKw, [property: Id(2)] double Share)
{
    /// <summary>Delivered power signed as requests are (&gt; 0 = less import), or null when unmeasurable.</summary>
    public double? DeliveredKw => BaselineGridKw is { } b && GridKw is { } g ? (b - g) * Share : null;
}
