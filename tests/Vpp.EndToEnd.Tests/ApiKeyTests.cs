using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Vpp.Host.Hosting;

namespace Vpp.EndToEnd.Tests;

/// <summary>The operator API checks its key before anything else, and throttles an address that keeps guessing.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly ConfiguredVppHost _host = new(new Dictionary<string, string>());

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static StringContent Malformed() => new("{\"siteId\": ", Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_unauthenticated_malformed_request_gets_401_not_the_parsers_400()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.BaseAddress };
        var refused = await anonymous.PostAsync("/api/sites", Malformed());
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Title.Should().Be("Operator API key required");
        problem.Detail.Should().NotContain("JSON", "nothing about the body is revealed before the caller is known");

        // The control: with the key, the same body reaches the parser.
        using var api = _host.Api();
        (await api.PostAsync("/api/sites", Malformed())).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_address_that_keeps_guessing_is_throttled_and_the_operator_is_not()
    {
        using var guesser = new HttpClient { BaseAddress = _host.BaseAddress };
        guesser.DefaultRequestHeaders.Add(OperatorApiKey.Header, "not-the-key-at-all");
        for (var i = 0; i < OperatorApiGate.FailuresPerWindow; i++)
            (await guesser.GetAsync("/api/fleet")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"guess {i + 1} is within the limit");

        var throttled = await guesser.GetAsync("/api/fleet");
        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta!.Value.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(60));

        using var api = _host.Api();
        (await api.GetAsync("/api/fleet")).StatusCode.Should().Be(HttpStatusCode.OK, "the right key still works from the same address");
        _host.Logs.Lines.Where(l => l.Contains("Refused an operator API key")).Should().HaveCount(2, "the first refusal and the one at the limit, not every guess");
    }

    [Theory]
    [InlineData("short")]
    [InlineData("fifteen-chars-x")]
    public void A_configured_key_shorter_than_sixteen_characters_is_refused(string key) =>
        OperatorApiKey.Problem(key).Should().Contain("at least 16 characters");

    [Fact]
    public void A_sixteen_character_key_is_accepted() => OperatorApiKey.Problem("sixteen-chars-xx").Should().BeNull();
}
