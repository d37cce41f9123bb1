using System.Globalization;
using Vpp.Persistence.Events;

namespace Vpp.Persistence.ReadModels;

// Pure folds from events to read models, shared by the in-memory store and the Marten projections
// so both stores show the same thing.

public static class SiteDirectoryProjector
{
    public static SiteDirectoryEntry? Evolve(SiteDirectoryEntry? entry, object e)
    {
        switch (e)
        {
            case SiteRegistered r:
                return new SiteDirectoryEntry
                {
                    Id = r.SiteId, Name = r.Name, TimeZoneId = r.TimeZoneId, BackupReservePct = r.BackupReservePct,
                    LatitudeDeg = r.LatitudeDeg, LongitudeDeg = r.LongitudeDeg, RegisteredAt = r.At, UpdatedAt = r.At,
                };
            case DeviceAddedToSite d when entry is not null:
                if (entry.Devices.All(x => x.DeviceId != d.DeviceId)) entry.Devices.Add(new SiteDirectoryDevice(d.DeviceId, d.Kind));
                entry.UpdatedAt = d.At;
                return entry;
            case PreferencesChanged p when entry is not null:
                entry.BackupReservePct = p.BackupReservePct;
                entry.Participating = p.Participating;
                entry.UpdatedAt = p.At;
                return entry;
            default:
                return entry;
        }
    }
}

public static class DeviceDirectoryProjector
{
    public static DeviceDirectoryEntry? Evolve(DeviceDirectoryEntry? entry, object e)
    {
        switch (e)
        {
            case DeviceRegistered r:
                return new DeviceDirectoryEntry
                {
                    Id = r.DeviceId, SiteId = r.SiteId, Kind = r.Kind, Battery = r.Battery, SolarRatedKw = r.SolarRatedKw,
                    TokenHash = r.TokenHash, RegisteredAt = r.At,
                };
            case DeviceTokenRotated t when entry is not null:
                entry.TokenHash = t.TokenHash;
                return entry;
            case DeviceTokenRevoked when entry is not null:
                entry.TokenHash = null;
                return entry;
            default:
                return entry;
        }
    }
}

public static class CommandHistoryProjector
{
    /// <summary>The command an event is about, or null if it is not a command event.</summary>
    public static string? CommandIdOf(object e) => e switch
    {
        SetpointIssued x => x.CommandId,
        SetpointAcknowledged x => x.CommandId,
        SetpointRejected x => x.CommandId,
        SetpointTimedOut x => x.CommandId,
        SetpointSuperseded x => x.CommandId,
        _ => null,
    };

    public static CommandHistoryEntry? Evolve(CommandHistoryEntry? entry, object e)
    {
        if (e is SetpointIssued i)
            return new CommandHistoryEntry
            {
                Id = i.CommandId, DeviceId = i.DeviceId, SiteId = i.SiteId, PowerKw = i.PowerKw, IssuedAt = i.At,
                ValidUntil = i.ValidUntil, Reason = i.Reason, MinSocPct = i.MinSocPct, UpdatedAt = i.At,
            };
        if (entry is null) return null;
        (entry.Outcome, entry.OutcomeReason, entry.UpdatedAt) = e switch
        {
            SetpointAcknowledged a => (a.Completed ? "completed" : "accepted", a.Reason, a.At),
            SetpointRejected r => ("rejected", r.Reason, r.At),
            SetpointTimedOut t => ("timedOut", (string?)"validUntil passed before completion", t.At),
            SetpointSuperseded s => ("superseded", s.Reason, s.At),
            _ => (entry.Outcome, entry.OutcomeReason, entry.UpdatedAt),
        };
        return entry;
    }
}

public static class SiteTimelineProjector
{
    public static SiteTimelineEntry? ToEntry(object e, long sequence)
    {
        var c = CultureInfo.InvariantCulture;
        var (summary, deviceId) = e switch
        {
            SiteRegistered r => (string.Create(c, $"Site '{r.Name}' registered, backup reserve {r.BackupReservePct}%"), null),
            DeviceAddedToSite d => ($"Device {d.DeviceId} ({d.Kind.ToString().ToLowerInvariant()}) added", d.DeviceId),
            PreferencesChanged p => (string.Create(c, $"Backup reserve {p.BackupReservePct}%, {(p.Participating ? "participating" : "opted out")} (by {p.ChangedBy})"), null),
            ManualOverrideSet o => (string.Create(c, $"Manual override until {o.Until}: {o.Reason} (by {o.ChangedBy})"), null),
            ManualOverrideCleared o => ($"Manual override cleared (by {o.ChangedBy})", null),
            OperatingEnvelopeSet o => (string.Create(c, $"Operating envelope: import ≤ {o.ImportLimitKw} kW, export ≤ {o.ExportLimitKw} kW from {o.ValidFrom} until {o.ValidUntil}"), null),
            DispatchOptedOut o => ($"Opted out of dispatch {o.RequestId} (by {o.ChangedBy})", null),
            DroopAssigned d => (d.CommittedKw > 0 ? string.Create(c, $"Frequency response: droop ±{d.CommittedKw:0.###} kW until {d.ValidUntil}") : "Frequency response ended", d.DeviceId),
            DeviceTokenRotated t => ("Device token rotated", t.DeviceId),
            DeviceTokenRevoked t => ("Device token revoked", t.DeviceId),
            SetpointIssued s => (string.Create(c, $"Setpoint {s.PowerKw:0.###} kW until {s.ValidUntil} ({s.Reason})"), s.DeviceId),
            SetpointAcknowledged a => (a.Completed ? "Setpoint completed" : "Setpoint accepted", a.DeviceId),
            SetpointRejected r => ($"Setpoint rejected: {r.Reason}", r.DeviceId),
            SetpointTimedOut t => ("Setpoint timed out", t.DeviceId),
            SetpointSuperseded s => ($"Setpoint superseded: {s.Reason}", s.DeviceId),
            _ => ((string?)null, (string?)null),
        };
        if (summary is null) return null;
        var siteId = e is ISiteEvent siteEvent ? siteEvent.SiteId : ((IDeviceEvent)e).SiteId;
        var at = ((IVppEvent)e).At;
        return new SiteTimelineEntry
        {
            Id = sequence, SiteId = siteId, DeviceId = deviceId, At = at, Type = e.GetType().Name, Summary = summary,
        };
    }
}

public static class OpenDispatchProjector
{
    public static OpenDispatchEntry? Evolve(OpenDispatchEntry? entry, object e) => e switch
    {
        DispatchRequested r => new OpenDispatchEntry { Id = r.RequestId, Region = r.Region, EndsAt = r.EndsAt, Open = true },
        DispatchRejected or DispatchCompleted or DispatchCancelled when entry is not null => Closed(entry),
        _ => entry,
    };

    private static OpenDispatchEntry Closed(OpenDispatchEntry entry)
    {
        entry.Open = false;
        return entry;
    }
}
