namespace Vpp.Host.Hosting;

/// <summary>
/// Requests that change something with the dashboards' session cookie, sign-ins, and the live hub must
/// come from the host's own pages. SameSite=Strict keeps the cookie off cross-site requests, but a
/// sibling subdomain is the same site; the browser's Origin and Sec-Fetch-Site headers say where a
/// request really comes from. Clients that send neither (scripts, devices) are not browsers and carry
/// no ambient cookie, so they pass.
/// </summary>
public static class SameOriginGuard
{
    public static bool Refuses(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path;
        var guarded = path.StartsWithSegments("/hubs") || path.StartsWithSegments("/auth")
            || ((path.StartsWithSegments("/portal") || path.StartsWithSegments("/api")) && request.Cookies.ContainsKey(Accounts.AuthSetup.CookieName));
        if (!guarded) return false;
        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            || http.WebSockets.IsWebSocketRequest;
        if (!changes) return false;

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none")) return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        // The host (with port), not the scheme: behind a TLS-terminating proxy the request arrives over http.
        return !Uri.TryCreate(origin, UriKind.Absolute, out var o) || !string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
