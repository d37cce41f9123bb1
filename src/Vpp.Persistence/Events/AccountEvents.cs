using NodaTime;

namespace Vpp.Persistence.Events;

/// <summary>
/// An operator created a homeowner account for a site. Holds the password hash (ASP.NET Core's
/// PasswordHasher format: PBKDF2, salted, versioned), never the password.
/// </summary>
public sealed record HomeownerAccountCreated(string Username, string SiteId, string PasswordHash, string CreatedBy, Instant At) : IVppEvent;
