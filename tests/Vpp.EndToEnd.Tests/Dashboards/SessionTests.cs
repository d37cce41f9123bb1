using System.Net;
using System.Net.Http.Json;
using Vpp.Grains.Accounts;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>
/// Sessions end when they should: a password change or reset, a disabled account, their absolute
/// lifetime; an account locks after repeated wrong passwords; the cookie is Secure behind TLS.
/// </summary>
public sealed class SessionTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private const string Password = "correct horse battery";
    private const string NewPassword = "staple battery horse";

    private async Task<string> AccountAsync(string site)
    {
        await host.RegisterHomeAsync(site);
        await host.CreateHomeownerAsync(site, site + "-owner", Password);
        return site + "-owner";
    }

    private async Task<HttpResponseMessage> SignIn(string user, string password)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        return await anonymous.PostAsJsonAsync("/auth/login", new { username = user, password });
    }

    private static async Task<HttpStatusCode> Me(HttpClient browser) => (await browser.GetAsync("/auth/me")).StatusCode;

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_until_an_operator_resets_it()
    {
        var user = await AccountAsync("ss-lock");
        string? wrongAnswer = null;
        for (var i = 0; i < SignInLockout.FreeAttempts; i++)
        {
            var wrong = await SignIn(user, "not the password " + i);
            wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            wrongAnswer = await wrong.Content.ReadAsStringAsync();
        }

        var locked = await SignIn(user, Password);
        locked.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "locked for a minute after five wrong passwords");
        Without((await locked.Content.ReadAsStringAsync()), "traceId").Should().Be(Without(wrongAnswer!, "traceId"), "a lock answers as a wrong password does");

        using var api = host.Api();
        (await api.PostAsJsonAsync($"/api/homeowners/{user}/password", new { password = NewPassword })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SignIn(user, Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the old password is gone");
        (await SignIn(user, NewPassword)).StatusCode.Should().Be(HttpStatusCode.OK, "the reset lifted the lock");
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_and_keeps_this_one()
    {
        var user = await AccountAsync("ss-change");
        using var here = host.Browser(await host.SignInHomeownerAsync(user, Password));
        using var there = host.Browser(await host.SignInHomeownerAsync(user, Password));
        (await Me(there)).Should().Be(HttpStatusCode.OK);

        (await here.PostAsJsonAsync("/auth/password", new { currentPassword = "a wrong guess", newPassword = NewPassword })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await here.PostAsJsonAsync("/auth/password", new { currentPassword = Password, newPassword = NewPassword })).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await Me(here)).Should().Be(HttpStatusCode.OK, "the session that changed it goes on");
        (await Me(there)).Should().Be(HttpStatusCode.Unauthorized, "every other session has ended");
        (await SignIn(user, Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignIn(user, NewPassword)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled()
    {
        var user = await AccountAsync("ss-disable");
        using var session = host.Browser(await host.SignInHomeownerAsync(user, Password));
        using var api = host.Api();

        (await api.PostAsync($"/api/homeowners/{user}/disable", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Me(session)).Should().Be(HttpStatusCode.Unauthorized);
        (await SignIn(user, Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await api.PostAsync($"/api/homeowners/{user}/enable", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SignIn(user, Password)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.PostAsync("/api/homeowners/nobody-here/disable", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_active_it_is()
    {
        // Two seconds, for the test.
        await using var shortLived = new ConfiguredVppHost(new Dictionary<string, string> { ["Vpp:Portal:SessionLifetimeHours"] = (2.0 / 3600).ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        await shortLived.RegisterHomeAsync("ss-life");
        await shortLived.CreateHomeownerAsync("ss-life", "ss-life-owner", Password);
        using var session = shortLived.Browser(await shortLived.SignInHomeownerAsync("ss-life-owner", Password));
        (await Me(session)).Should().Be(HttpStatusCode.OK);
        // Used all the while (sliding expiration would keep it): it still ends.
        await Eventually.Until(() => Me(session), status => status == HttpStatusCode.Unauthorized, timeoutMs: 30_000);
    }

    [Fact]
    public async Task A_new_operator_key_ends_the_operator_sessions_signed_in_with_the_old_one()
    {
        // Three hosts sharing the cookie keys, as behind one load balancer: the first and the third with the same operator key.
        var keys = Directory.CreateTempSubdirectory("vpp-keys").FullName;
        var shared = new Dictionary<string, string> { ["Vpp:Portal:KeysDirectory"] = keys };
        await using var before = new ConfiguredVppHost(shared);
        await using var after = new ConfiguredVppHost(new Dictionary<string, string>(shared) { ["Vpp:OperatorApiKey"] = "a-new-operator-key-0001" });
        await using var same = new ConfiguredVppHost(shared);
        var cookies = await before.SignInOperatorAsync();

        using var onSame = same.Browser(cookies);
        (await Me(onSame)).Should().Be(HttpStatusCode.OK, "the control: the same key on another host keeps the session");
        using var onAfter = after.Browser(cookies);
        (await Me(onAfter)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Vpp:Portal:SecureCookies", "true", null)]
    [InlineData("Vpp:Portal:TrustedProxies:0", "127.0.0.1", "https")]
    public async Task The_session_cookie_is_secure_when_configured_or_when_a_trusted_proxy_says_the_request_came_over_tls(string key, string value, string? forwardedProto)
    {
        await using var configured = new ConfiguredVppHost(new Dictionary<string, string> { [key] = value });
        using var http = new HttpClient { BaseAddress = configured.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/operator") { Content = JsonContent.Create(new { apiKey = VppHost.ApiKey }) };
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Set-Cookie").Should().Contain(c => c.StartsWith("vpp.auth=") && c.Contains("secure", StringComparison.OrdinalIgnoreCase));

        // The control: a plain-http request to the default host gets no Secure cookie.
        using var plain = new HttpClient { BaseAddress = host.BaseAddress };
        (await plain.PostAsJsonAsync("/auth/operator", new { apiKey = VppHost.ApiKey })).Headers.GetValues("Set-Cookie")
            .Should().Contain(c => c.StartsWith("vpp.auth=") && !c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    private static string Without(string json, string field) =>
        System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\":\"[^\"]*\",?", "");
}
