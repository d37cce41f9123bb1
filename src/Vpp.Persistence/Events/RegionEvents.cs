using NodaTime;

namespace Vpp.Persistence.Events;

/// <summary>An event in a grid region's stream (<see cref="StreamKeys.Region"/>), written by its region grain.</summary>
public interface IRegionEvent : IVppEvent
{
    string Region { get; }
}

/// <summary>
/// The region holds <c>Σ Batteries</c> kW of frequency response (of <paramref name="RequestedKw"/> asked for)
/// until <paramref name="Until"/>; <paramref name="Batteries"/>: deviceId → committed kW. An empty map ends it.
/// </summary>
public sealed record FrequencyResponseCommitted(
    string Region, string Mode, double RequestedKw, Dictionary<string, double> Batteries, Instant Until, string ChangedBy, Instant At) : IRegionEvent;

/// <summary>Central mode: the region's response to a frequency changed materially (entered, moved, or left the deadband).</summary>
public sealed record FrequencyResponseActivated(string Region, double Hz, double ResponseKw, Instant At) : IRegionEvent;

/// <summary>
/// A completed quarter-hour of the region's battery baseline (what its participating batteries did
/// on their own: mean kW over <paramref name="Samples"/> samples, &gt; 0 discharging): the market
/// scheduler's forecast history, kept across restarts.
/// </summary>
public sealed record RegionBaselineRecorded(string Region, Instant QuarterStart, double MeanKw, int Samples, Instant At) : IRegionEvent;
