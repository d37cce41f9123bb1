using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Host.Api;
using Vpp.Persistence.ReadModels;

namespace Vpp.EndToEnd.Tests;

/// <summary>Every endpoint added with the event store and history refuses bad input with a clear problem and changes nothing.</summary>
public class PersistenceApiBadInputTests(VppHost host) : IClassFixture<VppHost>
{
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();

    public static TheoryData<string, string, string?, string> BadRequests => new()
    {
        { "PUT", "/api/sites/{site}/preferences", """{"backupReservePct":101,"participating":true}""", "backupReservePct" },
        { "PUT", "/api/sites/{site}/preferences", """{"backupReservePct":-1,"participating":true}""", "backupReservePct" },
        { "PUT", "/api/sites/{site}/preferences", """{"backupReservePct":30}""", "participating" },
        { "PUT", "/api/sites/{site}/preferences", """{"participating":false}""", "backupReservePct" },
        { "PUT", "/api/sites/{site}/override", """{"until":"PAST","reason":"x"}""", "until" },
        { "PUT", "/api/sites/{site}/override", """{"until":"FAR","reason":"x"}""", "until" },
        { "PUT", "/api/sites/{site}/override", """{"reason":"x"}""", "until" },
        { "GET", "/api/sites/{site}/history?from=yesterday&to=TO", null, "from" },
        { "GET", "/api/sites/{site}/history?from=TO&to=FROM", null, "to" },
        { "GET", "/api/sites/{site}/history?from=FROM&to=TO&resolution=5m", null, "resolution" },
        { "GET", "/api/sites/{site}/history?from=LONGAGO&to=TO&resolution=1m", null, "to" },
        { "GET", "/api/sites/{site}/history?to=TO", null, "from" },
        { "GET", "/api/sites/{site}/timeline?take=0", null, "take" },
        { "GET", "/api/sites/{site}/timeline?take=501", null, "take" },
        { "GET", "/api/sites/{site}/timeline?skip=-1", null, "skip" },
        { "GET", "/api/sites?take=100000", null, "take" },
        { "GET", "/api/devices/{site}-bat/command-history?take=-5", null, "take" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_validation_problem_naming_the_field_and_changes_nothing(string method, string path, string? body, string field)
    {
        var site = "pbad-" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterHomeAsync(site, reservePct: 20);
        using var api = host.Api();
        var url = path.Replace("{site}", site)
            .Replace("FROM", Iso(Now - Duration.FromHours(1))).Replace("LONGAGO", Iso(Now - Duration.FromDays(3))).Replace("TO", Iso(Now));
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
            request.Content = new StringContent(body.Replace("PAST", Iso(Now - Duration.FromMinutes(1))).Replace("FAR", Iso(Now + Duration.FromDays(30))),
                Encoding.UTF8, "application/json");

        var response = await api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.ReadViewAsync<HttpValidationProblemDetails>()).Errors.Should().ContainKey(field);

        var details = await api.GetViewAsync<SiteView>($"/api/sites/{site}");
        details.BackupReservePct.Should().Be(20);
        details.ManualOverrideUntil.Should().BeNull();
    }

    [Theory]
    [InlineData("PUT", "/api/sites/nope/preferences", """{"backupReservePct":30,"participating":true}""")]
    [InlineData("PUT", "/api/sites/nope/override", """{"until":"SOON","reason":"x"}""")]
    [InlineData("DELETE", "/api/sites/nope/override", null)]
    [InlineData("GET", "/api/sites/nope/timeline", null)]
    [InlineData("GET", "/api/sites/nope/history?from=FROM&to=TO", null)]
    [InlineData("GET", "/api/devices/nope/command-history", null)]
    public async Task Unknown_sites_and_devices_are_404_and_no_key_is_401(string method, string path, string? body)
    {
        var url = path.Replace("FROM", Iso(Now - Duration.FromHours(1))).Replace("TO", Iso(Now));
        HttpRequestMessage Request()
        {
            var r = new HttpRequestMessage(new HttpMethod(method), url);
            if (body is not null) r.Content = new StringContent(body.Replace("SOON", Iso(Now + Duration.FromHours(1))), Encoding.UTF8, "application/json");
            return r;
        }
        using var api = host.Api();
        (await api.SendAsync(Request())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        (await anonymous.SendAsync(Request())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Preferences_and_override_are_applied_recorded_and_enforced()
    {
        var site = "pref-" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterHomeAsync(site, reservePct: 20);
        using var api = host.Api();
        (await api.PutAsJsonAsync($"/api/sites/{site}/preferences", new { backupReservePct = 35, participating = false })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/api/sites/{site}/override", new { until = Iso(Now + Duration.FromHours(2)), reason = "guests" })).EnsureSuccessStatusCode();

        var refused = await api.PostAsJsonAsync($"/api/devices/{site}-bat/setpoints", new { powerKw = -1.0, validForSeconds = 60 });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("manual control");

        (await api.DeleteAsync($"/api/sites/{site}/override")).EnsureSuccessStatusCode();
        var issued = await api.PostAsJsonAsync($"/api/devices/{site}-bat/setpoints", new { powerKw = -1.0, validForSeconds = 60 });
        issued.StatusCode.Should().Be(HttpStatusCode.Created);
        (await issued.ReadViewAsync<CommandRecord>()).MinSocPct.Should().Be(35, "the battery got the new reserve");

        var timeline = (await api.GetViewAsync<ResultPage<TimelineEntryView>>($"/api/sites/{site}/timeline")).Items.Select(i => i.Type).ToList();
        timeline.Take(4).Should().Equal("SetpointIssued", "ManualOverrideCleared", "ManualOverrideSet", "PreferencesChanged");
    }
}
