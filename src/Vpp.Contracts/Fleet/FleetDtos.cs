using NodaTime;
using Vpp.Contracts.Sites;

namespace Vpp.Contracts.Fleet;

[GenerateSerializer, Immutable, Alias("vpp.FleetSummary")]
public sealed record FleetSummary(
    [property: Id(0)] Instant At,
    [property: Id(1)] int SitesTotal,
    [property: Id(2)] int SitesOnline,
    [property: Id(3)] int SitesStale,
    [property: Id(4)] int SitesOffline,
    [property: Id(5)] double StoredKwh,
    [property: Id(6)] double UpKw,
    [property: Id(7)] double DownKw,
    [property: Id(8)] double PvKw,
    [property: Id(9)] double LoadKw,
    [property: Id(10)] double GridKw,
    [property: Id(11)] double BatteryKw);

/// <summary>Fleet-wide sums; key = "fleet" (regions come with grid balancing).</summary>
[Alias("vpp.IFleetAggregatorGrain")]
public interface IFleetAggregatorGrain : IGrainWithStringKey
{
    public const string FleetKey = "fleet";

    [OneWay, Alias("ReportSite")]
    Task ReportSite(SiteReport report);

    [Alias("GetSummary")]
    Task<FleetSummary> GetSummary();
}
