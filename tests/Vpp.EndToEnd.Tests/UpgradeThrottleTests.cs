using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace Vpp.EndToEnd.Tests;

/// <summary>An address that keeps trying device tokens is answered 429 without a token lookup until its minute is over.</summary>
public sealed class UpgradeThrottleTests : IAsyncLifetime
{
    private const int Limit = 3;
    private readonly ConfiguredVppHost _host = new(new Dictionary<string, string> { ["Vpp:MaxRefusedUpgradesPerMinute"] = Limit.ToString() });

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<HttpResponseMessage> Upgrade(string token)
    {
        using var http = new HttpClient { BaseAddress = _host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/devices/v1/ws");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task Refused_upgrades_past_the_limit_get_429_and_a_device_with_a_valid_token_connects_before_it()
    {
        var tokens = await _host.RegisterHomeAsync("thr");
        // The control: a valid token connects while the address is under the limit.
        await using (await _host.ConnectAsync(tokens["thr-bat"])) { }

        for (var i = 0; i < Limit; i++) (await Upgrade("guess-" + i)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var throttled = await Upgrade("guess-more");
        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta!.Value.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(1));
        (await throttled.Content.ReadFromJsonAsync<ProblemDetails>())!.Title.Should().Be("Too many refused upgrades");
        // Until the minute is over the address is not looked up at all, valid token or not.
        (await Upgrade(tokens["thr-meter"])).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }
}
