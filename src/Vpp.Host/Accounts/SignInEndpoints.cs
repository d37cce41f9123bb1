using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Vpp.Contracts.Accounts;
using Vpp.Contracts.Sites;
using Vpp.Host.Api;
using Vpp.Host.Hosting;

namespace Vpp.Host.Accounts;

/// <summary>Sign-in for the dashboards (/auth/*) and the operator's account creation (/api/sites/{id}/homeowners).</summary>
public static partial class SignInEndpoints
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 200;

    [GeneratedRegex("^[a-z0-9._@-]{3,64}$")]
    private static partial Regex UsernamePattern();

    /// <summary>Verifying against this when the account does not exist keeps both answers equally slow.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<HomeownerCredentials>().HashPassword(null!, "decoy-password"));

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Sign-in");
        auth.MapPost("/login", SignIn).RequireRateLimiting(AuthSetup.SignInLimit)
            .WithSummary("Homeowner sign-in: sets the session cookie");
        auth.MapPost("/operator", OperatorSignIn).RequireRateLimiting(AuthSetup.SignInLimit)
            .WithSummary("Operator sign-in with the operator API key: sets the session cookie");
        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).WithSummary("Sign out");
        auth.MapPost("/password", ChangePassword).RequireAuthorization().RequireRateLimiting(AuthSetup.SignInLimit)
            .WithSummary("A homeowner changes their password: their other sessions end, this one continues");
        auth.MapGet("/me", (ClaimsPrincipal user) =>
                Results.Ok(new MeView(user.Identity!.Name!, user.IsOperator() ? VppClaims.Operator : VppClaims.Homeowner, user.SiteId())))
            .RequireAuthorization().WithSummary("Who is signed in");
        return app;
    }

    public static RouteGroupBuilder MapHomeownerAccounts(this RouteGroupBuilder api)
    {
        api.MapPost("/sites/{siteId}/homeowners", Create).WithTags("Sites")
            .WithSummary("Create a homeowner account for a site (event-sourced; the password is stored hashed)");
        api.MapPost("/homeowners/{username}/password", ResetPassword).WithTags("Sites")
            .WithSummary("Reset a homeowner's password: their sessions end and a lockout is lifted");
        api.MapPost("/homeowners/{username}/disable", (string username, IGrainFactory grains, ClaimsPrincipal user) => SetDisabled(username, true, grains, user))
            .WithTags("Sites").WithSummary("Disable a homeowner account: it cannot sign in and its sessions end");
        api.MapPost("/homeowners/{username}/enable", (string username, IGrainFactory grains, ClaimsPrincipal user) => SetDisabled(username, false, grains, user))
            .WithTags("Sites").WithSummary("Enable a disabled homeowner account");
        return api;
    }

    public static string Normalize(string? username) => (username ?? "").Trim().ToLowerInvariant();

    private static async Task<IResult> Create(string siteId, CreateHomeownerRequest body, IGrainFactory grains,
        IPasswordHasher<HomeownerCredentials> hasher, ClaimsPrincipal user)
    {
        if (await grains.GetGrain<ISiteGrain>(siteId).GetSettings() is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown site", detail: $"No site '{siteId}' is registered.");
        var v = new Validation();
        var username = Normalize(body.Username);
        if (!UsernamePattern().IsMatch(username)) v.Add("username", "Required: 3–64 characters from a–z, 0–9, '.', '_', '@', '-'.");
        if (body.Password is not { } password || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
            v.Add("password", $"Required: {MinPasswordLength}–{MaxPasswordLength} characters.");
        if (!v.IsValid) return v.Problem();

        var hash = hasher.HashPassword(null!, body.Password!);
        if (!await grains.GetGrain<IHomeownerAccountGrain>(username).Create(siteId, hash, user.Identity?.IsAuthenticated == true ? user.Actor() : VppClaims.Operator))
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Account exists", detail: $"The user name '{username}' is taken.");
        return Results.Created($"/api/sites/{siteId}/homeowners/{username}", new HomeownerAccountView(username, siteId));
    }

    private static async Task<IResult> SignIn(SignInRequest body, HttpContext http, IGrainFactory grains,
        IPasswordHasher<HomeownerCredentials> hasher)
    {
        var username = Normalize(body.Username);
        if (!UsernamePattern().IsMatch(username) || body.Password is not { Length: > 0 and <= MaxPasswordLength } password)
            return Failed(http, username);
        var grain = grains.GetGrain<IHomeownerAccountGrain>(username);
        var account = await grain.GetCredentials();
        // The hash is verified whatever the account's state: every refusal takes the same work and gets the same answer.
        var verdict = hasher.VerifyHashedPassword(account!, account?.PasswordHash ?? DecoyHash.Value, password);
        if (account is null) return Failed(http, username);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await grain.SignInFailed();
            return Failed(http, username);
        }
        if (account.Disabled || account.LockedUntil is not null) return Failed(http, username);

        await grain.SignInSucceeded();
        await SignInAs(http, username, VppClaims.Homeowner, account.SiteId, passwordVersion: account.PasswordVersion);
        return Results.Ok(new MeView(username, VppClaims.Homeowner, account.SiteId));
    }

    private static async Task<IResult> OperatorSignIn(OperatorSignInRequest body, HttpContext http, OperatorApiKey key)
    {
        if (!key.Matches(body.ApiKey)) return Failed(http, VppClaims.Operator);
        await SignInAs(http, VppClaims.Operator, VppClaims.Operator, null, keyFingerprint: key.Fingerprint);
        return Results.Ok(new MeView(VppClaims.Operator, VppClaims.Operator, null));
    }

    private static async Task<IResult> ChangePassword(ChangePasswordRequest body, HttpContext http, ClaimsPrincipal user, IGrainFactory grains,
        IPasswordHasher<HomeownerCredentials> hasher)
    {
        if (!user.IsInRole(VppClaims.Homeowner) || user.Identity?.Name is not { } username)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Homeowners only", detail: "Operators change the operator key instead.");
        var grain = grains.GetGrain<IHomeownerAccountGrain>(username);
        if (await grain.GetCredentials() is not { } account) return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Signed out");
        var v = new Validation();
        if (body.CurrentPassword is not { Length: > 0 and <= MaxPasswordLength } current
            || hasher.VerifyHashedPassword(account, account.PasswordHash, current) == PasswordVerificationResult.Failed)
        {
            await grain.SignInFailed();
            v.Add("currentPassword", "Wrong password.");
        }
        if (body.NewPassword is not { } next || next.Length < MinPasswordLength || next.Length > MaxPasswordLength)
            v.Add("newPassword", $"Required: {MinPasswordLength}–{MaxPasswordLength} characters.");
        if (!v.IsValid) return v.Problem();

        await grain.ChangePassword(hasher.HashPassword(account, body.NewPassword!), user.Actor());
        // This session continues on the new password version; every other one has ended.
        await SignInAs(http, username, VppClaims.Homeowner, account.SiteId, passwordVersion: account.PasswordVersion + 1);
        return Results.NoContent();
    }

    private static async Task<IResult> ResetPassword(string username, ResetPasswordRequest body, IGrainFactory grains,
        IPasswordHasher<HomeownerCredentials> hasher, ClaimsPrincipal user)
    {
        var name = Normalize(username);
        var v = new Validation();
        if (body.Password is not { } password || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
            v.Add("password", $"Required: {MinPasswordLength}–{MaxPasswordLength} characters.");
        if (!v.IsValid) return v.Problem();
        return UsernamePattern().IsMatch(name) && await grains.GetGrain<IHomeownerAccountGrain>(name)
                .ChangePassword(hasher.HashPassword(null!, body.Password!), user.Identity?.IsAuthenticated == true ? user.Actor() : VppClaims.Operator)
            ? Results.NoContent()
            : UnknownAccount(name);
    }

    private static async Task<IResult> SetDisabled(string username, bool disabled, IGrainFactory grains, ClaimsPrincipal user)
    {
        var name = Normalize(username);
        return UsernamePattern().IsMatch(name) && await grains.GetGrain<IHomeownerAccountGrain>(name)
                .SetDisabled(disabled, user.Identity?.IsAuthenticated == true ? user.Actor() : VppClaims.Operator)
            ? Results.NoContent()
            : UnknownAccount(name);
    }

    private static IResult UnknownAccount(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown account", detail: $"No homeowner account '{RefusalLog.Safe(name)}'.");

    private static Task SignInAs(HttpContext http, string name, string role, string? siteId, int? passwordVersion = null, string? keyFingerprint = null)
    {
        var issued = http.RequestServices.GetRequiredService<NodaTime.IClock>().GetCurrentInstant().ToUnixTimeSeconds();
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name), new(ClaimTypes.Role, role),
            new(SessionCheck.IssuedAt, issued.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (siteId is not null) claims.Add(new Claim(VppClaims.Site, siteId));
        if (passwordVersion is { } version) claims.Add(new Claim(SessionCheck.PasswordVersion, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (keyFingerprint is not null) claims.Add(new Claim(SessionCheck.KeyFingerprint, keyFingerprint));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
    }

    private static IResult Failed(HttpContext http, string username)
    {
        http.RequestServices.GetRequiredService<RefusalLog>()
            .Warn("sign-in", "Sign-in failed for '{Username}' from {Address}", RefusalLog.Safe(username), http.Connection.RemoteIpAddress);
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "Wrong user name or password.");
    }
}
