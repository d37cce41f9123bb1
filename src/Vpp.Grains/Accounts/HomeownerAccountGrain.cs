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
        Credentials = e switch
        {
            HomeownerAccountCreated c => new HomeownerCredentials(c.Username, c.SiteId, c.PasswordHash),
            HomeownerPasswordChanged p when Credentials is { } a => a with { PasswordHash = p.PasswordHash, PasswordVersion = a.PasswordVersion + 1 },
            HomeownerAccountDisabled when Credentials is { } a => a with { Disabled = true },
            HomeownerAccountEnabled when Credentials is { } a => a with { Disabled = false },
            _ => Credentials,
        };
    }
}

/// <summary>Wrong passwords in a row before the account locks, and how long the lock lasts (doubling up to the maximum).</summary>
public static class SignInLockout
{
    public const int FreeAttempts = 5;
    public static readonly Duration FirstLock = Duration.FromMinutes(1);
    public static readonly Duration MaxLock = Duration.FromHours(1);

    /// <summary>How long the account locks after its <paramref name="failures"/>th wrong password in a row (zero: not yet).</summary>
    public static Duration LockAfter(int failures) =>
        failures < FreeAttempts ? Duration.Zero
        : Duration.Min(MaxLock, FirstLock * Math.Pow(2, Math.Min(failures - FreeAttempts, 10)));
}

public sealed class HomeownerAccountGrain(IEventStore store, IClock clock) : Grain, IHomeownerAccountGrain
{
    private EventSourcedStream<HomeownerAccount> _stream = null!;
    private int _failures;
    private Instant? _lockedUntil;

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

    public Task<HomeownerCredentials?> GetCredentials() =>
        Task.FromResult(_stream.State.Credentials is { } c ? c with { LockedUntil = _lockedUntil > clock.GetCurrentInstant() ? _lockedUntil : null } : null);

    public async Task<bool> ChangePassword(string passwordHash, string changedBy)
    {
        if (_stream.State.Credentials is null) return false;
        await _stream.ExecuteAsync(_ => [new HomeownerPasswordChanged(this.GetPrimaryKeyString(), passwordHash, changedBy, clock.GetCurrentInstant())]);
        (_failures, _lockedUntil) = (0, null);
        return true;
    }

    public async Task<bool> SetDisabled(bool disabled, string changedBy)
    {
        if (_stream.State.Credentials is not { } c) return false;
        if (c.Disabled == disabled) return true;
        var now = clock.GetCurrentInstant();
        await _stream.ExecuteAsync(_ => [disabled
            ? new HomeownerAccountDisabled(this.GetPrimaryKeyString(), changedBy, now)
            : new HomeownerAccountEnabled(this.GetPrimaryKeyString(), changedBy, now)]);
        return true;
    }

    public Task SignInFailed()
    {
        _failures++;
        var lockFor = SignInLockout.LockAfter(_failures);
        if (lockFor > Duration.Zero) _lockedUntil = clock.GetCurrentInstant() + lockFor;
        return Task.CompletedTask;
    }

    public Task SignInSucceeded()
    {
        (_failures, _lockedUntil) = (0, null);
        return Task.CompletedTask;
    }
}
