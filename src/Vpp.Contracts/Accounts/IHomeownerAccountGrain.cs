using NodaTime;

namespace Vpp.Contracts.Accounts;

/// <summary>
/// What sign-in checks: the site the account belongs to and its password hash (never the password);
/// <paramref name="PasswordVersion"/> counts password changes (a session signed in with an older one has
/// ended); a disabled account cannot sign in; <paramref name="LockedUntil"/>: too many wrong passwords.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.HomeownerCredentials")]
public sealed record HomeownerCredentials(
    [property: Id(0)] string Username,
    [property: Id(1)] string SiteId,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] int PasswordVersion = 0,
    [property: Id(4)] bool Disabled = false,
    [property: Id(5)] Instant? LockedUntil = null);

/// <summary>
/// A homeowner's account (key = user name, lower case); the only writer of its stream. Operators
/// create accounts for a site; the host hashes passwords with ASP.NET Core's password hasher.
/// </summary>
[Alias("vpp.IHomeownerAccountGrain")]
public interface IHomeownerAccountGrain : IGrainWithStringKey
{
    /// <summary>False when an account with this name exists already (nothing changes).</summary>
    [Alias("Create")]
    Task<bool> Create(string siteId, string passwordHash, string createdBy);

    /// <summary>Null when no such account exists.</summary>
    [Alias("GetCredentials")]
    Task<HomeownerCredentials?> GetCredentials();

    /// <summary>Sets a new password hash (the homeowner's change or an operator's reset); sessions signed in before end. False: no such account.</summary>
    [Alias("ChangePassword")]
    Task<bool> ChangePassword(string passwordHash, string changedBy);

    /// <summary>Disables or enables the account. False: no such account.</summary>
    [Alias("SetDisabled")]
    Task<bool> SetDisabled(bool disabled, string changedBy);

    /// <summary>
    /// A wrong password: after <c>5</c> in a row the account is locked for a minute, doubling with each
    /// further one up to an hour (kept in memory: a restart forgets it, the per-address limit still holds).
    /// </summary>
    [Alias("SignInFailed")]
    Task SignInFailed();

    /// <summary>A right password while not locked: the count of wrong ones starts again.</summary>
    [Alias("SignInSucceeded")]
    Task SignInSucceeded();
}
