namespace Vpp.Contracts.Accounts;

/// <summary>What sign-in checks: the site the account belongs to and its password hash (never the password).</summary>
[GenerateSerializer, Immutable, Alias("vpp.HomeownerCredentials")]
public sealed record HomeownerCredentials(
    [property: Id(0)] string Username,
    [property: Id(1)] string SiteId,
    [property: Id(2)] string PasswordHash);

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
}
