using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Persistence.ReadModels;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Grid;

/// <summary>The grid balancing endpoints refuse bad input with a problem naming the field, and change nothing.</summary>
public class DispatchApiBadInputTests(VppHost host) : IClassFixture<VppHost>
{
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public static TheoryData<string, string, string?, string> BadRequests => new()
    {
        { "POST", "/api/sites", """{"siteId":"badregion","name":"x","timeZone":"Europe/Berlin","backupReservePct":20,"region":"no spaces!"}""", "region" },
        { "GET", "/api/regions/no%20spaces!/flexibility", null, "region" },
        { "POST", "/api/sites/{site}/dispatches/bad%20id!/opt-out", null, "requestId" },
        { "POST", "/api/dispatches/{request}/cancel", "{\"reason\":\"" + new string('x', 501) + "\"}", "reason" },
        { "POST", "/api/dispatches", """{"requestId":"r-nan","region":"r","startsAt":"SOON","endsAt":"LATER","powerKw":0}""", "powerKw" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_validation_problem_naming_the_field_and_changes_nothing(string method, string path, string? body, string field)
    {
        var site = "gbad-" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterHomeAsync(site);
        using var api = host.Api();
        var requestId = "gbad-" + Guid.NewGuid().ToString("N")[..8];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId, region = "gbad", startsAt = Iso(Now + Duration.FromHours(1)), endsAt = Iso(Now + Duration.FromHours(2)), powerKw = 5.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        // The whole answer as it came, compared after the refusal: nothing about the dispatch changed.
        var before = (await api.GetFromJsonAsync<JsonObject>($"/api/dispatches/{requestId}"))!.ToJsonString();

        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{site}", site).Replace("{request}", requestId));
        if (body is not null)
            request.Content = new StringContent(body.Replace("SOON", Iso(Now + Duration.FromMinutes(1))).Replace("LATER", Iso(Now + Duration.FromMinutes(5))),
                Encoding.UTF8, "application/json");
        var response = await api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.ReadViewAsync<HttpValidationProblemDetails>()).Errors.Should().ContainKey(field);

        (await api.GetFromJsonAsync<JsonObject>($"/api/dispatches/{requestId}"))!.ToJsonString().Should().Be(before);
        (await api.GetAsync("/api/sites/badregion")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET", "/api/dispatches/nope")]
    [InlineData("POST", "/api/dispatches/nope/cancel")]
    [InlineData("POST", "/api/sites/nope/dispatches/r1/opt-out")]
    public async Task Unknown_dispatches_and_sites_are_404_and_no_key_is_401(string method, string path)
    {
        using var api = host.Api();
        (await api.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        (await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_opt_out_is_recorded_in_the_sites_timeline_once_and_a_request_for_a_region_without_sites_is_rejected_and_cannot_be_cancelled()
    {
        var site = "gopt-" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterHomeAsync(site);
        using var api = host.Api();
        (await api.PostAsync($"/api/sites/{site}/dispatches/evt-1/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.PostAsync($"/api/sites/{site}/dispatches/evt-1/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.OK, "idempotent");
        var timeline = await Eventually.Until(
            async () => (await api.GetViewAsync<ResultPage<TimelineEntryView>>($"/api/sites/{site}/timeline")).Items.Select(i => i.Type).ToList(),
            t => t.Contains("DispatchOptedOut"));
        timeline.Count(t => t == "DispatchOptedOut").Should().Be(1);

        var requestId = "gcan-" + Guid.NewGuid().ToString("N")[..8];
        (await api.PostAsJsonAsync("/api/dispatches", new { requestId, region = "gcan", startsAt = Iso(Now + Duration.FromHours(1)), endsAt = Iso(Now + Duration.FromHours(2)), powerKw = 5.0 }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var cancel = await api.PostAsJsonAsync($"/api/dispatches/{requestId}/cancel", new { reason = "no longer needed" });
        // No site in region gcan: rejected at once, so there is nothing to cancel.
        cancel.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await api.GetViewAsync<DispatchView>($"/api/dispatches/{requestId}")).Status.Should().Be(DispatchStatus.Rejected);
    }
}
