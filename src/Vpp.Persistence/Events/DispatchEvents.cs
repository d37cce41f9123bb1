using NodaTime;

namespace Vpp.Persistence.Events;

/// <summary>An event in a dispatch request's stream (<see cref="StreamKeys.Dispatch"/>).</summary>
public interface IDispatchEvent : IVppEvent
{
    string RequestId { get; }
}

/// <summary>
/// A utility's dispatch request entered the VPP: deliver <paramref name="PowerKw"/> in
/// <paramref name="Region"/> over [StartsAt, EndsAt); &gt; 0 reduces net import / export to the grid.
/// Grid balancing decides on it (accepted / rejected, started, delivery, completed).
/// </summary>
public sealed record DispatchRequested(
    string RequestId, string Region, Instant StartsAt, Instant EndsAt, double PowerKw, int Priority,
    string SourceEventId, Instant At) : IDispatchEvent;

/// <summary>
/// The VPP will deliver <paramref name="AcceptedKw"/> (signed as the request; |accepted| ≤ |requested|)
/// over the whole window. <paramref name="Reason"/> says why less than requested, when it is less.
/// </summary>
public sealed record DispatchAccepted(string RequestId, double AcceptedKw, string? Reason, Instant At) : IDispatchEvent;

public sealed record DispatchRejected(string RequestId, string Reason, Instant At) : IDispatchEvent;

/// <summary>
/// A site's baseline as recorded when it took a share: grid flow (&gt; 0 import, null when unmeasured)
/// and each battery's power before dispatch, so that the share can be resumed after a restart.
/// </summary>
public sealed record SiteBaselineRecord(double? GridKw, Dictionary<string, double> BatteryKw);

/// <summary>
/// The baselines of the sites about to take a share, recorded before any of their setpoints is
/// sent: a host that dies between the setpoints and <see cref="DispatchStarted"/> leaves them on
/// record, so the next host places the shares on these baselines, not on the running setpoints.
/// </summary>
public sealed record DispatchBaselinesRecorded(string RequestId, Dictionary<string, SiteBaselineRecord> Baselines, Instant At) : IDispatchEvent;

/// <summary>Setpoints went out: each site's share (magnitude, kW, in the request's direction) and its baseline.</summary>
public sealed record DispatchStarted(string RequestId, Dictionary<string, double> Allocations, Instant At,
    Dictionary<string, SiteBaselineRecord>? Baselines = null) : IDispatchEvent;

/// <summary>A site dropped out; its share moved to others (<paramref name="Changes"/>: the new shares of the sites that took it, with their baselines).</summary>
public sealed record DispatchReallocated(string RequestId, string LostSiteId, string Reason, Dictionary<string, double> Changes, double UnplacedKw, Instant At,
    Dictionary<string, SiteBaselineRecord>? Baselines = null) : IDispatchEvent;

/// <summary>
/// Measured over [From, To): mean power delivered against the sites' baselines, signed as the
/// request, in total and per measured site (null in events recorded before per-site figures).
/// </summary>
public sealed record DispatchDeliveryReported(string RequestId, Instant From, Instant To, double TargetKw, double DeliveredKw, int SitesMeasured, Instant At,
    Dictionary<string, double>? DeliveredKwBySite = null) : IDispatchEvent;

/// <summary>The window ended (or was ended early): energy requested, accepted and delivered, signed as the request.</summary>
public sealed record DispatchCompleted(string RequestId, double RequestedKwh, double AcceptedKwh, double DeliveredKwh, bool EndedEarly, string? Reason, Instant At) : IDispatchEvent;

/// <summary>Cancelled before it started: no setpoint was sent.</summary>
public sealed record DispatchCancelled(string RequestId, string Reason, Instant At) : IDispatchEvent;
