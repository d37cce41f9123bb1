using System.Security.Claims;

namespace Vpp.Host.Accounts;

/// <summary>Who is signed in: an operator (every site) or a homeowner (one site).</summary>
public static class VppClaims
{
    public const string Operator = "operator";
    public const string Homeowner = "homeowner";
    /// <summary>The site a homeowner's account belongs to.</summary>
    public const string Site = "vpp:site";

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(Operator);

    public static string? SiteId(this ClaimsPrincipal user) => user.FindFirstValue(Site);

    public static bool CanAccessSite(this ClaimsPrincipal user, string siteId) =>
        user.IsOperator() || (user.IsInRole(Homeowner) && string.Equals(user.SiteId(), siteId, StringComparison.Ordinal));

    /// <summary>For event attribution: "homeowner:alice" or "operator".</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.IsOperator() ? Operator : $"{Homeowner}:{user.Identity?.Name}";
}
