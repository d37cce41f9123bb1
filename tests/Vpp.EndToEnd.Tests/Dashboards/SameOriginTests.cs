using System.Net;
using System.Net.Http.Json;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>
/// Changes with the session cookie, sign-ins and live connections come from the host's own pages only:
/// SameSite=Strict lets a sibling subdomain's page (the same site) send the cookie.
/// </summary>
public sealed class SameOriginTests(VppHost host) : IClassFixture<VppHost>
{
    private const string Password = "correct horse battery";

    private async Task<HttpClient> HomeownerAsync(string site)
    {
        await host.RegisterHomeAsync(site);
        await host.CreateHomeownerAsync(site, site + "-owner", Password);
        return host.Browser(await host.SignInHomeownerAsync(site + "-owner", Password));
    }

    private static HttpRequestMessage Preferences(string site, string? origin, string? fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/portal/api/sites/{site}/preferences") { Content = JsonContent.Create(new { backupReservePct = 30, participating = true }) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    [Fact]
    public async Task A_change_from_another_origin_or_a_sibling_site_is_refused_and_one_from_the_own_page_is_not()
    {
        using var browser = await HomeownerAsync("so-1");
        var own = host.BaseAddress.GetLeftPart(UriPartial.Authority);

        (await browser.SendAsync(Preferences("so-1", "https://evil.example", null))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.SendAsync(Preferences("so-1", "http://sub." + host.BaseAddress.Host + ":" + host.BaseAddress.Port, null))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.SendAsync(Preferences("so-1", own, "same-site"))).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a sibling subdomain is the same site, not the same origin");

        (await browser.SendAsync(Preferences("so-1", own, "same-origin"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.SendAsync(Preferences("so-1", null, null))).StatusCode.Should().Be(HttpStatusCode.OK, "a client that is not a browser sends neither header");
    }

    [Fact]
    public async Task A_sign_in_or_a_live_connection_from_another_origin_is_refused()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var login = new HttpRequestMessage(HttpMethod.Post, "/auth/login") { Content = JsonContent.Create(new { username = "nobody", password = "whatever" }) };
        login.Headers.Add("Origin", "https://evil.example");
        (await anonymous.SendAsync(login)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "no sign-in into the attacker's account from their page");

        using var browser = await HomeownerAsync("so-2");
        var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/live/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", "https://evil.example");
        (await browser.SendAsync(negotiate)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var ownNegotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/live/negotiate?negotiateVersion=1");
        ownNegotiate.Headers.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        (await browser.SendAsync(ownNegotiate)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
