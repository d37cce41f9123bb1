using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Accounts;
using Vpp.Host.Hosting;

namespace Vpp.Host.Accounts;

/// <summary>
/// The session cookie is stateless, so what ends a session is checked on each request: its absolute
/// lifetime since sign-in; for operators, the operator key it was signed in with (a new key ends every
/// operator session); for homeowners, the account's password version (a change or reset ends the
/// sessions signed in before it) and whether an operator disabled it.
/// </summary>
public static class SessionCheck
{
    public const string IssuedAt = "vpp:issued";
    public const string KeyFingerprint = "vpp:key";
    public const string PasswordVersion = "vpp:pwd";

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var user = context.Principal!;
        var now = services.GetRequiredService<IClock>().GetCurrentInstant();
        var lifetime = Duration.FromHours(services.GetRequiredService<IOptions<VppHostOptions>>().Value.Portal.SessionLifetimeHours);
        var valid = long.TryParse(user.FindFirstValue(IssuedAt), NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
            && now - Instant.FromUnixTimeSeconds(issued) <= lifetime
            && (user.IsOperator()
                ? user.FindFirstValue(KeyFingerprint) == services.GetRequiredService<OperatorApiKey>().Fingerprint
                : await HomeownerStillValid(services.GetRequiredService<IGrainFactory>(), user));
        if (valid) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private static async Task<bool> HomeownerStillValid(IGrainFactory grains, ClaimsPrincipal user) =>
        user.Identity?.Name is { } name
        && await grains.GetGrain<IHomeownerAccountGrain>(name).GetCredentials() is { Disabled: false } account
        && account.SiteId == user.SiteId()
        && user.FindFirstValue(PasswordVersion) == account.PasswordVersion.ToString(CultureInfo.InvariantCulture);
}
