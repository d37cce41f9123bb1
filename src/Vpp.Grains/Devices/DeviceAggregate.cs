using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Devices;

/// <summary>A device's state folded from its stream: registration, token hash and (batteries) the command log.</summary>
public sealed class DeviceAggregate : EventSourcing.IAggregate
{
    /// <summary>Commands kept in the twin (and its snapshot); the full history is a read model.</summary>
    public const int CommandLogLength = 200;

    public DeviceRegistration? Registration { get; set; }
    public string? TokenHash { get; set; }
    public List<CommandRecord> Commands { get; set; } = [];
    /// <summary>The battery's local frequency-response assignment, if any (ended ones are cleared).</summary>
    public DroopAssigned? Droop { get; set; }

    public void Apply(object e)
    {
        switch (e)
        {
            case DeviceRegistered r:
                Registration = new DeviceRegistration(r.DeviceId, r.SiteId, r.Kind, r.Battery, r.SolarRatedKw, r.At);
                TokenHash = r.TokenHash;
                break;
            case DeviceTokenRotated t:
                TokenHash = t.TokenHash;
                break;
            case DeviceTokenRevoked:
                TokenHash = null;
                break;
            case DroopAssigned d:
                Droop = d.CommittedKw > 0 ? d : null;
                break;
            case SetpointIssued i:
                Commands.Add(new CommandRecord(i.CommandId, i.DeviceId, i.PowerKw, i.At, i.ValidUntil, i.Reason, i.MinSocPct,
                    CommandStatus.Pending, null, i.At));
                if (Commands.Count > CommandLogLength) Commands.RemoveAt(0);
                break;
            case SetpointAcknowledged a:
                Set(a.CommandId, a.Completed ? CommandStatus.Completed : CommandStatus.Accepted, a.Reason, a.At);
                break;
            case SetpointRejected r:
                Set(r.CommandId, CommandStatus.Rejected, r.Reason, r.At);
                break;
            case SetpointTimedOut t:
                Set(t.CommandId, CommandStatus.Expired, "validUntil passed before completion", t.At);
                break;
            case SetpointSuperseded s:
                Set(s.CommandId, CommandStatus.Superseded, s.Reason, s.At);
                break;
        }
    }

    private void Set(string commandId, CommandStatus status, string? reason, Instant at)
    {
        var i = Commands.FindIndex(c => c.CommandId == commandId);
        if (i >= 0) Commands[i] = Commands[i] with { Status = status, StatusReason = reason ?? Commands[i].StatusReason, UpdatedAt = at };
    }

    public static bool IsOpen(CommandStatus s) => s is CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Accepted;

    public IReadOnlyList<object> Register(DeviceRegistration d, string tokenHash) => Registration is not null ? [] :
        [new DeviceRegistered(d.DeviceId, d.SiteId, d.Kind, d.Battery, d.SolarRatedKw, tokenHash, d.RegisteredAt)];

    public IReadOnlyList<object> SetToken(string? tokenHash, Instant now)
    {
        var reg = Registration!;
        if (tokenHash is null) return TokenHash is null ? [] : [new DeviceTokenRevoked(reg.DeviceId, reg.SiteId, now)];
        return [new DeviceTokenRotated(reg.DeviceId, reg.SiteId, tokenHash, now)];
    }

    /// <summary>Open commands whose validUntil has passed time out.</summary>
    public List<object> Expire(Instant now)
    {
        var reg = Registration!;
        return Commands.Where(c => IsOpen(c.Status) && c.ValidUntil <= now)
            .Select(c => (object)new SetpointTimedOut(reg.DeviceId, reg.SiteId, c.CommandId, now)).ToList();
    }

    /// <summary>A new setpoint: the device runs one at a time, so every open one ends here.</summary>
    public IReadOnlyList<object> Issue(string commandId, double powerKw, Instant validUntil, string reason, double minSocPct, Instant now)
    {
        var reg = Registration!;
        var events = Expire(now);
        events.AddRange(Commands.Where(c => IsOpen(c.Status) && c.ValidUntil > now)
            .Select(c => (object)new SetpointSuperseded(reg.DeviceId, reg.SiteId, c.CommandId, "a newer setpoint was issued", now)));
        events.Add(new SetpointIssued(reg.DeviceId, reg.SiteId, commandId, powerKw, validUntil, reason, minSocPct, now));
        return events;
    }

    /// <summary>Terminal states stay terminal: a repeated or late ack records nothing.</summary>
    public (AckOutcome Outcome, IReadOnlyList<object> Events) Acknowledge(string commandId, Protocol.AckStatus status, string? reason, Instant now)
    {
        var reg = Registration!;
        var events = Expire(now);
        var current = Commands.FirstOrDefault(c => c.CommandId == commandId);
        if (current is null) return (AckOutcome.UnknownCommand, events);
        var expired = events.OfType<SetpointTimedOut>().Any(t => t.CommandId == commandId);
        var next = status switch
        {
            Protocol.AckStatus.Accepted => CommandStatus.Accepted,
            Protocol.AckStatus.Rejected => CommandStatus.Rejected,
            _ => CommandStatus.Completed,
        };
        if (expired || current.Status == next || !IsOpen(current.Status)) return (AckOutcome.Duplicate, events);
        events.Add(status switch
        {
            Protocol.AckStatus.Rejected => new SetpointRejected(reg.DeviceId, reg.SiteId, commandId, reason ?? "rejected by the device", now),
            _ => new SetpointAcknowledged(reg.DeviceId, reg.SiteId, commandId, status == Protocol.AckStatus.Completed, reason, now),
        });
        return (AckOutcome.Recorded, events);
    }
}
