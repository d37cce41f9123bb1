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
        auth.MapGet("/me", (ClaimsPrincipal user) =>
                Results.Ok(new MeView(user.Identity!.Name!, user.IsOperator() ? VppClaims.Operator : VppClaims.Homeowner, user.SiteId())))
            .RequireAuthorization().WithSummary("Who is signed in");
        return app;
    }

    public static RouteGroupBuilder MapHomeownerAccounts(this RouteGroupBuilder api)
    {
        api.MapPost("/sites/{siteId}/homeowners", Create).WithTags("Sites")
            .WithSummary("Create a homeowner account for a site (event-sourced; the password is stored hashed)");
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
        IPasswordHasher<HomeownerCredentials> hasher, ILoggerFactory logs)
    {
        var username = Normalize(body.Username);
        if (!UsernamePattern().IsMatch(username) || body.Password is not { Length: > 0 and <= MaxPasswordLength } password)
            return Failed(logs, http, username);
        var account = await grains.GetGrain<IHomeownerAccountGrain>(username).GetCredentials();
        var verdict = hasher.VerifyHashedPassword(account!, account?.PasswordHash ?? DecoyHash.Value, password);
        if (account is null || verdict == PasswordVerificationResult.Failed) return Failed(logs, http, username);

        await SignInAs(http, username, VppClaims.Homeowner, account.SiteId);
        return Results.Ok(new MeView(username, VppClaims.Homeowner, account.SiteId));
    }

    private static async Task<IResult> OperatorSignIn(OperatorSignInRequest body, HttpContext http, OperatorApiKey key, ILoggerFactory logs)
    {
        if (!key.Matches(body.ApiKey)) return Failed(logs, http, VppClaims.Operator);
        await SignInAs(http, VppClaims.Operator, VppClaims.Operator, null);
        return Results.Ok(new MeView(VppClaims.Operator, VppClaims.Operator, null));
    }

    private static Task SignInAs(HttpContext http, string name, string role, string? siteId)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role) };
        if (siteId is not null) claims.Add(new Claim(VppClaims.Site, siteId));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
    }

    private static IResult Failed(ILoggerFactory logs, HttpContext http, string username)
    {
        logs.CreateLogger("Vpp.Host.Accounts.SignIn").LogWarning("Sign-in failed for '{Username}' from {Address}", username, http.Connection.RemoteIpAddress);
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "Wrong user name or password.");
    }
}
