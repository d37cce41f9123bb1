using NodaTime;
using Vpp.Contracts.Accounts;
using Vpp.Grains.EventSourcing;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;

namespace Vpp.Grains.Accounts;

public sealed class HomeownerAccount : IAggregate
{
    public HomeownerCredentials? Credentials { get; set; }

    public void Apply(object e)
    {
        if (e is HomeownerAccountCreated c) Credentials = new HomeownerCredentials(c.Username, c.SiteId, c.PasswordHash);
    }
}

public sealed class HomeownerAccountGrain(IEventStore store, IClock clock) : Grain, IHomeownerAccountGrain
{
    private EventSourcedStream<HomeownerAccount> _stream = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = new EventSourcedStream<HomeownerAccount>(store, StreamKeys.Homeowner(this.GetPrimaryKeyString()));
        return _stream.LoadAsync(cancellationToken);
    }

    public async Task<bool> Create(string siteId, string passwordHash, string createdBy)
    {
        var events = await _stream.ExecuteAsync(a => a.Credentials is not null ? []
            : [new HomeownerAccountCreated(this.GetPrimaryKeyString(), siteId, passwordHash, createdBy, clock.GetCurrentInstant())]);
        return events.Count > 0;
    }

    public Task<HomeownerCredentials?> GetCredentials() => Task.FromResult(_stream.State.Credentials);
}
