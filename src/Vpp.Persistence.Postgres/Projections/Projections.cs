using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Vpp.Persistence.Events;
using Vpp.Persistence.ReadModels;

namespace Vpp.Persistence.Postgres.Projections;

// Thin Marten wrappers around the pure folds in Vpp.Persistence.ReadModels, so the in-memory and
// PostgreSQL stores show the same read models.

/// <summary>Inline: committed with the event, so token checks on every host see a rotation at once.</summary>
public sealed class DeviceDirectoryProjection : MultiStreamProjection<DeviceDirectoryEntry, string>
{
    public DeviceDirectoryProjection()
    {
        Identity<DeviceRegistered>(e => e.DeviceId);
        Identity<DeviceTokenRotated>(e => e.DeviceId);
        Identity<DeviceTokenRevoked>(e => e.DeviceId);
    }

    public override DeviceDirectoryEntry? Evolve(DeviceDirectoryEntry? snapshot, string id, IEvent e) =>
        DeviceDirectoryProjector.Evolve(snapshot, e.Data);
}

/// <summary>Inline: a request is listed as open in the same commit that records it.</summary>
public sealed class OpenDispatchProjection : MultiStreamProjection<OpenDispatchEntry, string>
{
    public OpenDispatchProjection()
    {
        Identity<DispatchRequested>(e => e.RequestId);
        Identity<DispatchRejected>(e => e.RequestId);
        Identity<DispatchCompleted>(e => e.RequestId);
        Identity<DispatchCancelled>(e => e.RequestId);
    }

    public override OpenDispatchEntry? Evolve(OpenDispatchEntry? snapshot, string id, IEvent e) => OpenDispatchProjector.Evolve(snapshot, e.Data);
}

public sealed class SiteDirectoryProjection : MultiStreamProjection<SiteDirectoryEntry, string>
{
    public SiteDirectoryProjection()
    {
        Identity<SiteRegistered>(e => e.SiteId);
        Identity<DeviceAddedToSite>(e => e.SiteId);
        Identity<PreferencesChanged>(e => e.SiteId);
    }

    public override SiteDirectoryEntry? Evolve(SiteDirectoryEntry? snapshot, string id, IEvent e) =>
        SiteDirectoryProjector.Evolve(snapshot, e.Data);
}

public sealed class CommandHistoryProjection : MultiStreamProjection<CommandHistoryEntry, string>
{
    public CommandHistoryProjection()
    {
        Identity<SetpointIssued>(e => e.CommandId);
        Identity<SetpointAcknowledged>(e => e.CommandId);
        Identity<SetpointRejected>(e => e.CommandId);
        Identity<SetpointTimedOut>(e => e.CommandId);
        Identity<SetpointSuperseded>(e => e.CommandId);
    }

    public override CommandHistoryEntry? Evolve(CommandHistoryEntry? snapshot, string id, IEvent e) =>
        CommandHistoryProjector.Evolve(snapshot, e.Data);
}

/// <summary>One timeline line per decision, keyed by the event's global sequence.</summary>
public sealed partial class SiteTimelineProjection : EventProjection
{
    public SiteTimelineProjection()
    {
        foreach (var type in EventTypes.All) IncludeType(type);
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (SiteTimelineProjector.ToEntry(e.Data, e.Sequence) is { } entry) operations.Store(entry);
        return ValueTask.CompletedTask;
    }
}
