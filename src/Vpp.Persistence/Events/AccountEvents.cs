using NodaTime;

namespace Vpp.Persistence.Events;

/// <summary>
/// An operator created a homeowner account for a site. Holds the password hash (ASP.NET Core's
/// PasswordHasher format: PBKDF2, salted, versioned), never the password.
/// </summary>
public sealed record HomeownerAccountCreated(string Username, string SiteId, string PasswordHash, string CreatedBy, Instant At) : IVppEvent;

/// <summary>
/// The password changed: by its homeowner (<paramref name="By"/> is the user name) or reset by an
/// operator. Every session signed in before ends.
/// </summary>
public sealed record HomeownerPasswordChanged(string Username, string PasswordHash, string By, Instant At) : IVppEvent;

/// <summary>An operator disabled the account: it cannot sign in, and its sessions end.</summary>
public sealed record HomeownerAccountDisabled(string Username, string By, Instant At) : IVppEvent;

/// <summary>An operator enabled a disabled account again.</summary>
public sealed record HomeownerAccountEnabled(string Username, string By, Instant At) : IVppEvent;
