using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Vpp.Contracts.Accounts;
using Vpp.Host.Hosting;

namespace Vpp.Host.Accounts;

public static class AuthSetup
{
    public const string SignInLimit = "sign-in";
    public const string CookieName = "vpp.auth";

    /// <summary>
    /// Cookie sign-in for the dashboards. The cookie is HttpOnly and SameSite=Strict (no cross-site
    /// request carries it, which is the CSRF defence); pages and APIs answer 401/403, never a redirect.
    /// </summary>
    public static IServiceCollection AddVppAuth(this IServiceCollection services, VppHostOptions.PortalOptions portal)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure on https requests (behind a TLS-terminating proxy: with Vpp:Portal:TrustedProxies), or always.
            o.Cookie.SecurePolicy = portal.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = SessionCheck.ValidateAsync;
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.AddAuthorization();
        var keys = services.AddDataProtection().SetApplicationName("vpp");
        if (!string.IsNullOrWhiteSpace(portal.KeysDirectory)) keys.PersistKeysToFileSystem(new DirectoryInfo(portal.KeysDirectory));
        services.AddSingleton<IPasswordHasher<HomeownerCredentials>, PasswordHasher<HomeownerCredentials>>();
        if (portal.TrustedProxies.Length > 0)
            services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var proxy in portal.TrustedProxies) o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = portal.SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }
}
