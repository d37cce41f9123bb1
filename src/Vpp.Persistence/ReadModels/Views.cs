using NodaTime;
using Vpp.Contracts.Registrations;
using Vpp.Protocol;

namespace Vpp.Persistence.ReadModels;

// Read-model documents. Mutable classes with an Id: the shape document stores want.

/// <summary>Site registry entry (async projection): what the operator's site list shows.</summary>
public sealed class SiteDirectoryEntry
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string TimeZoneId { get; set; } = "";
    public double BackupReservePct { get; set; }
    public bool Participating { get; set; } = true;
    public double? LatitudeDeg { get; set; }
    public double? LongitudeDeg { get; set; }
    public Instant RegisteredAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public List<SiteDirectoryDevice> Devices { get; set; } = [];
}

public sealed record SiteDirectoryDevice(string DeviceId, DeviceKind Kind);

/// <summary>
/// Device lookup (inline projection, committed with the event): the gateway authenticates against
/// <see cref="TokenHash"/>, so a rotated or revoked token fails on every host at once.
/// </summary>
public sealed class DeviceDirectoryEntry
{
    public string Id { get; set; } = "";
    public string SiteId { get; set; } = "";
    public DeviceKind Kind { get; set; }
    public BatteryRatings? Battery { get; set; }
    public double? SolarRatedKw { get; set; }
    /// <summary>SHA-256 of the current token; null when revoked.</summary>
    public string? TokenHash { get; set; }
    public Instant RegisteredAt { get; set; }

    public DeviceRegistration ToRegistration() => new(Id, SiteId, Kind, Battery, SolarRatedKw, RegisteredAt);
}

/// <summary>One setpoint and what became of it (async projection).</summary>
public sealed class CommandHistoryEntry
{
    public string Id { get; set; } = "";
    public string DeviceId { get; set; } = "";
    public string SiteId { get; set; } = "";
    public double PowerKw { get; set; }
    public Instant IssuedAt { get; set; }
    public Instant ValidUntil { get; set; }
    public string Reason { get; set; } = "";
    public double MinSocPct { get; set; }
    /// <summary>issued | accepted | completed | rejected | timedOut | superseded.</summary>
    public string Outcome { get; set; } = "issued";
    public string? OutcomeReason { get; set; }
    public Instant UpdatedAt { get; set; }
}

/// <summary>One line of a site's timeline: every decision about the site or its devices (async projection).</summary>
public sealed class SiteTimelineEntry
{
    /// <summary>The event's global sequence number: orders the timeline.</summary>
    public long Id { get; set; }
    public string SiteId { get; set; } = "";
    public string? DeviceId { get; set; }
    public Instant At { get; set; }
    public string Type { get; set; } = "";
    public string Summary { get; set; } = "";
}

public sealed record ResultPage<T>(IReadOnlyList<T> Items, long Total, int Skip, int Take);

/// <summary>
/// A dispatch request that has not ended (inline projection): what a host resumes after a full
/// restart. <see cref="Open"/> turns false when it is rejected, completed or cancelled.
/// </summary>
public sealed class OpenDispatchEntry
{
    public string Id { get; set; } = "";
    public string Region { get; set; } = "";
    public Instant EndsAt { get; set; }
    public bool Open { get; set; }
}
