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
