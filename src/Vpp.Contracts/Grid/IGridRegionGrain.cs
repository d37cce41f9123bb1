using NodaTime;

namespace Vpp.Contracts.Grid;

/// <summary>
/// One live battery as its site reports it: NowKw is its power without dispatches (its baseline while
/// it carries one), PresentKw what it last reported (&gt; 0 discharging); limits; energy above reserve / below full.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.BatteryCapabilityReport")]
public sealed record BatteryCapabilityReport(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] double NowKw,
    [property: Id(2)] double MaxDischargeKw,
    [property: Id(3)] double MaxChargeKw,
    [property: Id(4)] double UpKwh,
    [property: Id(5)] double DownKwh,
    [property: Id(6)] double PresentKw);

/// <summary>What a site can do for grid balancing now, sent to its region on change and every few seconds.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteCapabilityReport")]
public sealed record SiteCapabilityReport(
    [property: Id(0)] string SiteId,
    [property: Id(1)] Instant At,
    [property: Id(2)] IReadOnlyList<BatteryCapabilityReport> Batteries,
    [property: Id(3)] double GridKw,
    [property: Id(4)] IReadOnlyList<OperatingEnvelope> Envelopes,
    [property: Id(5)] bool Participating,
    [property: Id(6)] Instant? ManualOverrideUntil,
    [property: Id(7)] IReadOnlyList<string> OptedOutOf,
    [property: Id(8)] double BackupReservePct);

/// <summary>How much of a request the region can sustain for its whole window, and why not more.</summary>
[GenerateSerializer, Immutable, Alias("vpp.DispatchEvaluation")]
public sealed record DispatchEvaluation([property: Id(0)] double AcceptedKw, [property: Id(1)] string? Reason);

/// <summary>A site's share of a dispatch: a magnitude in the dispatch's direction, on top of what the site does now.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteShare")]
public sealed record SiteShare([property: Id(0)] string SiteId, [property: Id(1)] double DeltaKw);

[GenerateSerializer, Alias("vpp.FrequencyResponseMode")]
public enum FrequencyResponseMode
{
    /// <summary>Devices get droop parameters and respond to the frequency they measure (no round trip).</summary>
    Local,
    /// <summary>The region computes the droop response from frequency signals and sends setpoints at once.</summary>
    Central,
}

/// <summary>A region's frequency-response commitment and, in central mode, the response it runs now.</summary>
[GenerateSerializer, Immutable, Alias("vpp.FrequencyResponseView")]
public sealed record FrequencyResponseView(
    [property: Id(0)] string Region,
    [property: Id(1)] FrequencyResponseMode Mode,
    [property: Id(2)] double RequestedKw,
    [property: Id(3)] double CommittedKw,
    [property: Id(4)] int Batteries,
    [property: Id(5)] Instant? Until,
    [property: Id(6)] double ResponseKw,
    [property: Id(7)] double? LastHz,
    [property: Id(8)] string? Reason,
    [property: Id(9)] IReadOnlyDictionary<string, double> SiteCommittedKw);

/// <summary>The region's flexibility now (sites that allow dispatch, live batteries only).</summary>
[GenerateSerializer, Immutable, Alias("vpp.RegionFlexibility")]
public sealed record RegionFlexibility(
    [property: Id(0)] string Region,
    [property: Id(1)] int Sites,
    [property: Id(2)] double UpKw,
    [property: Id(3)] double DownKw,
    [property: Id(4)] double CommittedUpKw,
    [property: Id(5)] double CommittedDownKw);

/// <summary>
/// The grid as the VPP sees it in one region (key = region): the latest frequency, and the region
/// aggregator that sums its sites' flexibility, sizes dispatch requests and places them on sites.
/// </summary>
[Alias("vpp.IGridRegionGrain")]
public interface IGridRegionGrain : IGrainWithStringKey
{
    /// <summary>Keeps the newest reading by ts; older ones are ignored.</summary>
    [Alias("ReportFrequency")]
    Task ReportFrequency(FrequencyReading reading);

    [Alias("GetFrequency")]
    Task<FrequencyReading?> GetFrequency();

    /// <summary>
    /// A site's latest capability; older reports than the one held are ignored. While a site carries
    /// dispatches its batteries are reported at their baseline power, and the region subtracts what it placed there.
    /// </summary>
    [OneWay, Alias("ReportCapability")]
    Task ReportCapability(SiteCapabilityReport report);

    /// <summary>
    /// How much of the request the region can hold for the whole window after what overlapping
    /// accepted requests already claim; the answer is reserved for the request until released.
    /// Asking again for the same request returns the same answer.
    /// </summary>
    [Alias("Evaluate")]
    Task<DispatchEvaluation> Evaluate(DispatchRequest request);

    /// <summary>
    /// Proposes where to place <paramref name="powerKw"/> (signed as the request) over [now, until) among
    /// the sites not in <paramref name="exclude"/>, on top of everything the sites already carry.
    /// </summary>
    [Alias("Allocate")]
    Task<IReadOnlyList<SiteShare>> Allocate(string requestId, double powerKw, Instant until, IReadOnlyCollection<string> exclude);

    /// <summary>What sites took for a request (new totals, magnitudes) and which sites no longer carry any of it.</summary>
    [Alias("Placed")]
    Task Placed(string requestId, IReadOnlyDictionary<string, double> totals, IReadOnlyCollection<string> removed);

    /// <summary>Holds an accepted request's kW again (after a restart); no effect if it is held already.</summary>
    [Alias("Hold")]
    Task Hold(RegionDispatch accepted);

    /// <summary>The request has ended (or was cancelled or rejected): its reservation is freed.</summary>
    [Alias("Release")]
    Task Release(string requestId);

    [Alias("GetFlexibility")]
    Task<RegionFlexibility> GetFlexibility();

    /// <summary>
    /// Commits up to <paramref name="committedKw"/> of frequency response in the region until
    /// <paramref name="until"/>, shared over batteries by what each sustains for 15 min both ways
    /// (0 ends it). Event-sourced; returns what was committed.
    /// </summary>
    [Alias("CommitFrequencyResponse")]
    Task<FrequencyResponseView> CommitFrequencyResponse(double committedKw, FrequencyResponseMode mode, Instant until, string changedBy);

    [Alias("GetFrequencyResponse")]
    Task<FrequencyResponseView> GetFrequencyResponse();

    /// <summary>The region's batteries pooled into one, for market scheduling (participating sites, live batteries, frequency-response capacity held back).</summary>
    [Alias("GetFleet")]
    Task<RegionFleet> GetFleet();

    /// <summary>
    /// The participating batteries one by one (frequency-response capacity held back), for planning
    /// that must not lend power between homes: energy above the reserve, room below full, inverter limits.
    /// </summary>
    [Alias("GetBatteries")]
    Task<IReadOnlyList<FleetBattery>> GetBatteries();

    /// <summary>
    /// Per instant (a product's start), how far the fleet's power may move up and down from what it
    /// does now within the operating envelopes then in force and the homeowners' choices then.
    /// </summary>
    [Alias("GetFleetLimits")]
    Task<IReadOnlyList<FleetLimit>> GetFleetLimits(IReadOnlyList<Instant> at);

    /// <summary>The participating batteries' baseline (their own power, &gt; 0 discharging) per quarter-hour over the last 8 days, oldest first.</summary>
    [Alias("GetBaselineHistory")]
    Task<IReadOnlyList<BaselineQuarter>> GetBaselineHistory();

    /// <summary>Accepted dispatches that have not ended, by start.</summary>
    [Alias("GetDispatches")]
    Task<IReadOnlyList<RegionDispatch>> GetDispatches();
}

/// <summary>An accepted dispatch in a region: its window and the kW the region holds for it (signed as the request).</summary>
[GenerateSerializer, Immutable, Alias("vpp.RegionDispatch")]
public sealed record RegionDispatch(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Instant StartsAt,
    [property: Id(2)] Instant EndsAt,
    [property: Id(3)] double AcceptedKw);

/// <summary>
/// A region's batteries as one (sums): energy above the reserves (<see cref="InitialKwh"/>) of the
/// usable energy between reserve and full, and how far their power can move from what it is now
/// each way (charge more / discharge more), all after frequency-response holds; and the frequency
/// response the region could commit for a day ahead (<see cref="SymmetricKw"/>: per battery, the
/// power it can give both ways for 15 minutes, within envelopes; holds of today not deducted); and
/// what the batteries do on their own now (<see cref="BaselineKw"/>, &gt; 0 discharging), which the
/// power headroom is counted from.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.RegionFleet")]
public sealed record RegionFleet(
    [property: Id(0)] string Region,
    [property: Id(1)] Instant At,
    [property: Id(2)] int Sites,
    [property: Id(3)] double UsableKwh,
    [property: Id(4)] double InitialKwh,
    [property: Id(5)] double MaxChargeKw,
    [property: Id(6)] double MaxDischargeKw,
    [property: Id(7)] double SymmetricKw,
    [property: Id(8)] double BaselineKw);

/// <summary>One battery for planning: usable kWh (reserve to full), kWh above its reserve now, inverter limits (kW).</summary>
[GenerateSerializer, Immutable, Alias("vpp.FleetBattery")]
public sealed record FleetBattery([property: Id(0)] double UsableKwh, [property: Id(1)] double InitialKwh, [property: Id(2)] double MaxChargeKw,
    [property: Id(3)] double MaxDischargeKw);

/// <summary>One quarter-hour of a region's battery baseline: its start and the mean kW (&gt; 0 discharging).</summary>
[GenerateSerializer, Immutable, Alias("vpp.BaselineQuarter")]
public sealed record BaselineQuarter([property: Id(0)] Instant Start, [property: Id(1)] double Kw);

/// <summary>The fleet's power headroom at one instant (magnitudes): up = more export / less import, down = the opposite.</summary>
[GenerateSerializer, Immutable, Alias("vpp.FleetLimit")]
public sealed record FleetLimit([property: Id(0)] double UpKw, [property: Id(1)] double DownKw);

/// <summary>The regions that have sites (key 0); a region announces itself when it activates.</summary>
[Alias("vpp.IRegionDirectoryGrain")]
public interface IRegionDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Announce")]
    Task Announce(string region);

    [Alias("List")]
    Task<IReadOnlyList<string>> List();
}
