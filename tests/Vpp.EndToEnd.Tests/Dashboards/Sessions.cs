using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Vpp.Host.Hosting;

namespace Vpp.EndToEnd.Tests;

/// <summary>Dashboard sessions against any host: sign-in cookies, a cookie-keeping HTTP client, the live hub.</summary>
public static class Sessions
{
    public static async Task<CookieContainer> SignInOperatorAsync(Uri host)
    {
        var cookies = new CookieContainer();
        using var http = Browser(host, cookies);
        (await http.PostAsJsonAsync("/auth/operator", new { apiKey = VppHost.ApiKey })).EnsureSuccessStatusCode();
        return cookies;
    }

    public static async Task<CookieContainer> SignInHomeownerAsync(Uri host, string username, string password)
    {
        var cookies = new CookieContainer();
        using var http = Browser(host, cookies);
        var res = await http.PostAsJsonAsync("/auth/login", new { username, password });
        res.StatusCode.Should().Be(HttpStatusCode.OK, await res.Content.ReadAsStringAsync());
        return cookies;
    }

    /// <summary>Creates a homeowner account through the operator API.</summary>
    public static async Task CreateHomeownerAsync(HttpClient operatorApi, string siteId, string username, string password)
    {
        var res = await operatorApi.PostAsJsonAsync($"/api/sites/{siteId}/homeowners", new { username, password });
        res.StatusCode.Should().Be(HttpStatusCode.Created, await res.Content.ReadAsStringAsync());
    }

    /// <summary>An HTTP client that keeps a session's cookies, like a browser.</summary>
    public static HttpClient Browser(Uri host, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = host };

    public static async Task<HubConnection> LiveAsync(Uri host, CookieContainer cookies)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(host, "/hubs/live"), o => o.Cookies = cookies)
            .AddJsonProtocol(o => ApiViews.Strict(JsonConfig.Apply(o.PayloadSerializerOptions)))
            .Build();
        await hub.StartAsync();
        return hub;
    }
}
