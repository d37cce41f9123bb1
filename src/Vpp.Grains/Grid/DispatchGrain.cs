using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Grains.EventSourcing;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;

namespace Vpp.Grains.Grid;

/// <summary>State of one dispatch request, folded from its stream.</summary>
public sealed class DispatchAggregate : IAggregate
{
    public DispatchRequest? Request { get; set; }

    public void Apply(object e)
    {
        if (e is DispatchRequested r) Request = new DispatchRequest(r.RequestId, r.Region, r.StartsAt, r.EndsAt, r.PowerKw, r.Priority);
    }

    public (DispatchRequestOutcome Outcome, IReadOnlyList<object> Events) Decide(DispatchRequest request, string sourceEventId, Instant now)
    {
        if (Request is null)
            return (DispatchRequestOutcome.Recorded, [new DispatchRequested(request.RequestId, request.Region, request.StartsAt,
                request.EndsAt, request.PowerKw, request.Priority, sourceEventId, now)]);
        return (Request == request ? DispatchRequestOutcome.Duplicate : DispatchRequestOutcome.ConflictingId, []);
    }
}

/// <summary>
/// One utility dispatch request (key = requestId), sole writer of its stream. Records the request;
/// grid balancing decides on it and records the lifecycle in the same stream.
/// </summary>
public sealed class DispatchGrain(IEventStore store, IClock clock) : Grain, IDispatchGrain
{
    private EventSourcedStream<DispatchAggregate> _stream = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = new EventSourcedStream<DispatchAggregate>(store, StreamKeys.Dispatch(this.GetPrimaryKeyString()));
        return _stream.LoadAsync(cancellationToken);
    }

    public async Task<DispatchRequestOutcome> Request(DispatchRequest request, string sourceEventId)
    {
        var outcome = DispatchRequestOutcome.Duplicate;
        await _stream.ExecuteAsync(s =>
        {
            (outcome, var events) = s.Decide(request, sourceEventId, clock.GetCurrentInstant());
            return events;
        });
        return outcome;
    }

    public Task<DispatchRequest?> Get() => Task.FromResult(_stream.State.Request);
}
