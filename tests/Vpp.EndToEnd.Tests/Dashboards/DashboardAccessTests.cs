using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Sites;
using Vpp.Host.Accounts;
using Vpp.Host.Api;
using Vpp.Host.Live;
using Vpp.Host.Portal;
using Vpp.Persistence.ReadModels;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>Sign-in, per-site authorisation on the portal API and the live hub, homeowner controls, throttling.</summary>
public sealed class DashboardAccessTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private const string Password = "correct horse battery";
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    /// <summary>Two registered homes; an account for the first.</summary>
    private async Task<(string Own, string Other, string User, Dictionary<string, string> Tokens)> TwoHomes(string name)
    {
        var tokens = await host.RegisterHomeAsync(name + "-own");
        await host.RegisterHomeAsync(name + "-other");
        await host.CreateHomeownerAsync(name + "-own", name, Password);
        return (name + "-own", name + "-other", name, tokens);
    }

    [Fact]
    public async Task A_homeowner_sees_their_own_site_and_is_refused_every_other()
    {
        var (own, other, user, _) = await TwoHomes("alice");
        using var browser = host.Browser(await host.SignInHomeownerAsync(user, Password));

        var me = await browser.GetViewAsync<MeView>("/auth/me");
        me.Role.Should().Be("homeowner");
        me.SiteId.Should().Be(own);
        (await browser.GetAsync($"/portal/api/sites/{own}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync($"/portal/api/sites/{own}/history?range=7d")).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var path in new[] { "", "/history", "/energy/today", "/events", "/earnings" })
            (await browser.GetAsync($"/portal/api/sites/{other}{path}")).StatusCode.Should().Be(HttpStatusCode.Forbidden, path);
        (await browser.GetAsync("/portal/api/sites/no-such-site")).StatusCode.Should().Be(HttpStatusCode.Forbidden,
            "a homeowner cannot even learn whether another site exists");
        (await browser.PutAsJsonAsync($"/portal/api/sites/{other}/preferences", new { backupReservePct = 90, participating = false }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.PostAsync($"/portal/api/sites/{other}/events/any/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.GetAsync("/portal/api/operations")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await browser.GetAsync($"/api/sites/{other}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the operator API is not for homeowners");

        using var api = host.Api();
        var otherSite = await api.GetViewAsync<SiteView>($"/api/sites/{other}");
        otherSite.BackupReservePct.Should().Be(20, "the refused change changed nothing");
        otherSite.Participating.Should().BeTrue();

        host.Logs.Lines.Should().Contain(l => l.StartsWith("Warning") && l.Contains("Refused alice") && l.Contains($"'{other}'"),
            "refused attempts at another site are logged");

        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        (await anonymous.GetAsync($"/portal/api/sites/{own}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Operators_see_every_site_through_the_portal()
    {
        var (own, other, _, _) = await TwoHomes("opview");
        using var browser = host.Browser(await host.SignInOperatorAsync());
        (await browser.GetAsync($"/portal/api/sites/{own}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync($"/portal/api/sites/{other}/energy/today")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync("/portal/api/sites/no-such-site")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        // The latest frequency a region got (from vpp.grid-signals.v1 in production) shows on the operator's view.
        await host.Service<IGrainFactory>().GetGrain<Vpp.Contracts.Grid.IGridRegionGrain>("opview-region")
            .ReportFrequency(new Vpp.Contracts.Grid.FrequencyReading(Now, 49.912));
        var ops = await Eventually.Until(() => browser.GetViewAsync<OperationsView>("/portal/api/operations"),
            o => o.Regions.Any(r => r.Region == "opview-region"));
        (ops.Regions.Single(r => r.Region == "opview-region").Frequency?.Hz).Should().Be(49.912);
        ops.Kafka.Embedded.Should().BeTrue();
        ops.Market.Note.Should().Contain("not configured");
        (await browser.GetAsync("/api/fleet")).StatusCode.Should().Be(HttpStatusCode.OK, "an operator session may use the operator API");
    }

    [Fact]
    public async Task Sign_in_fails_on_a_wrong_password_or_unknown_user_and_bad_account_requests_change_nothing()
    {
        await TwoHomes("bob");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        foreach (var body in new object[]
                 {
                     new { username = "bob", password = "wrong password!" }, new { username = "nobody", password = Password },
                     new { username = "bob", password = "" }, new { username = "", password = Password }, new { username = "B O B", password = Password },
                 })
        {
            var res = await http.PostAsJsonAsync("/auth/login", body);
            res.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            res.Headers.Contains("Set-Cookie").Should().BeFalse();
        }
        (await http.PostAsJsonAsync("/auth/operator", new { apiKey = "not-the-key" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.Logs.Lines.Should().Contain(l => l.Contains("Sign-in failed for 'bob'"));
        // Documented: a wrong password and an unknown user get the same answer (nothing tells which usernames exist).
        async Task<string> Refusal(object body)
        {
            var res = await http.PostAsJsonAsync("/auth/login", body);
            var json = (await res.Content.ReadFromJsonAsync<JsonObject>())!;
            json.Remove("traceId");
            return $"{(int)res.StatusCode} {res.Content.Headers.ContentType} {json.ToJsonString()}";
        }
        (await Refusal(new { username = "nobody", password = Password })).Should().Be(await Refusal(new { username = "bob", password = "wrong password!" }));
        (await http.PostAsJsonAsync("/auth/login", new { username = "BOB ", password = Password })).StatusCode.Should().Be(HttpStatusCode.OK,
            "user names are case-insensitive");

        using var api = host.Api();
        async Task<string> Problem(string site, object body, HttpStatusCode expected)
        {
            var res = await api.PostAsJsonAsync($"/api/sites/{site}/homeowners", body);
            res.StatusCode.Should().Be(expected);
            return await res.Content.ReadAsStringAsync();
        }
        (await Problem("bob-own", new { username = "bob2", password = "short" }, HttpStatusCode.BadRequest)).Should().Contain("password");
        (await Problem("bob-own", new { username = "x", password = Password }, HttpStatusCode.BadRequest)).Should().Contain("username");
        (await Problem("bob-own", new { username = "bob", password = "another password" }, HttpStatusCode.Conflict)).Should().Contain("taken");
        await Problem("no-such-site", new { username = "carol", password = Password }, HttpStatusCode.NotFound);
        (await http.PostAsJsonAsync("/api/sites/bob-own/homeowners", new { username = "mallory", password = Password }))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // The conflict kept the first password.
        await host.SignInHomeownerAsync("bob", Password);
        (await http.PostAsJsonAsync("/auth/login", new { username = "mallory", password = Password })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_strict_and_logging_out_ends_the_session()
    {
        var (own, _, user, _) = await TwoHomes("cookie");
        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };
        var login = await raw.PostAsJsonAsync("/auth/login", new { username = user, password = Password });
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = login.Headers.GetValues("Set-Cookie").Should().ContainSingle(c => c.StartsWith("vpp.auth=")).Subject.ToLowerInvariant();
        cookie.Should().Contain("samesite=strict").And.Contain("httponly").And.Contain("path=/");

        using var browser = host.Browser(await host.SignInHomeownerAsync(user, Password));
        (await browser.GetAsync($"/portal/api/sites/{own}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.PostAsync("/auth/logout", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.GetAsync("/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await browser.GetAsync($"/portal/api/sites/{own}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_hub_refuses_anonymous_viewers_other_sites_and_the_fleet_and_pushes_the_own_site_live()
    {
        var (own, other, user, tokens) = await TwoHomes("dana");
        var anonymous = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, "/hubs/live")).Build();
        (await anonymous.Invoking(h => h.StartAsync()).Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        await using var live = await host.LiveAsync(await host.SignInHomeownerAsync(user, Password));
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SiteState>();
        live.On<SiteState>("SiteState", seen.Enqueue);
        // A handler that throws is only logged by SignalR: record what arrives and assert on it.
        var fleetMessages = new System.Collections.Concurrent.ConcurrentQueue<FleetSummary>();
        live.On<FleetSummary>("FleetSummary", fleetMessages.Enqueue);

        await live.Invoking(h => h.InvokeAsync<SiteState>("JoinSite", other)).Should().ThrowAsync<HubException>().WithMessage("*not allowed*");
        await live.Invoking(h => h.InvokeAsync<FleetSummary>("JoinFleet")).Should().ThrowAsync<HubException>().WithMessage("*not allowed*");
        host.Logs.Lines.Should().Contain(l => l.Contains("Refused dana") && l.Contains($"site '{other}'") && l.Contains("live hub"));
        (await live.InvokeAsync<List<SiteListItem>>("ListSites")).Select(s => s.SiteId).Should().Equal(own);
        await live.InvokeAsync<SiteState>("JoinSite", own);

        // The other site is watched by an operator, so it does publish; none of it may reach this homeowner.
        await using var operatorLive = await host.LiveAsync();
        var otherSeen = new System.Collections.Concurrent.ConcurrentQueue<SiteState>();
        operatorLive.On<SiteState>("SiteState", otherSeen.Enqueue);
        await operatorLive.InvokeAsync<SiteState>("JoinSite", other);
        var operatorFleet = new System.Collections.Concurrent.ConcurrentQueue<FleetSummary>();
        operatorLive.On<FleetSummary>("FleetSummary", operatorFleet.Enqueue);
        await operatorLive.InvokeAsync<FleetSummary>("JoinFleet");
        var otherTokens = await ReRegisteredTokens(other);
        await using var otherBattery = await host.ConnectAsync(otherTokens);
        await using var battery = await host.ConnectAsync(tokens[own + "-bat"]);
        for (var seq = 1; seq <= 3; seq++)
        {
            await otherBattery.SendJsonAsync(new { type = "telemetry", seq, ts = Iso(Now), powerKw = 4.0, socPct = 70.0 });
            await battery.SendJsonAsync(new { type = "telemetry", seq, ts = Iso(Now), powerKw = 1.25 * seq, socPct = 60.0 });
        }
        // Both sites and the fleet published (the operator saw them) ...
        await Eventually.Value(() => otherSeen.ToArray(), o => o.Any(s => s.SiteId == other && s.BatteryKw == 4.0));
        await Eventually.Value(() => operatorFleet.Count, n => n > 0);
        await Eventually.Value(() => seen.ToArray(), o => o.Any(s => s.BatteryKw == 3.75));
        // ... and one more own reading after that: messages on one connection arrive in order, so anything
        // leaked to this homeowner before it is in by the time it arrives.
        await battery.SendJsonAsync(new { type = "telemetry", seq = 4, ts = Iso(Now), powerKw = 0.5, socPct = 60.0 });
        await Eventually.Value(() => seen.ToArray(), o => o.Any(s => s.BatteryKw == 0.5));
        seen.Should().Contain(s => s.SiteId == own && s.BatteryKw == 3.75 && s.SocPct == 60);
        seen.Should().OnlyContain(s => s.SiteId == own);
        fleetMessages.Should().BeEmpty("a homeowner may not receive fleet messages");
    }

    /// <summary>A fresh battery token for a site registered by <see cref="TwoHomes"/> (its tokens were not kept).</summary>
    private async Task<string> ReRegisteredTokens(string siteId)
    {
        using var api = host.Api();
        var res = await api.PostAsync($"/api/devices/{siteId}-bat/token", null);
        res.EnsureSuccessStatusCode();
        return (await res.ReadViewAsync<TokenIssued>()).Token;
    }

    [Fact]
    public async Task The_backup_reserve_stays_within_the_operator_range_and_every_change_is_event_sourced()
    {
        var (own, _, user, _) = await TwoHomes("erin");
        using var browser = host.Browser(await host.SignInHomeownerAsync(user, Password));
        (await browser.GetViewAsync<PortalSiteView>($"/portal/api/sites/{own}")).MinBackupReservePct.Should().Be(10);

        foreach (var bad in new object[] { new { backupReservePct = 5, participating = true }, new { backupReservePct = 101, participating = true },
                     new { backupReservePct = 50 } })
        {
            var res = await browser.PutAsJsonAsync($"/portal/api/sites/{own}/preferences", bad);
            res.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }
        (await browser.PutAsync($"/portal/api/sites/{own}/preferences", new StringContent("{\"backupReservePct\": \"NaN\"}",
            System.Text.Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var ok = await browser.PutAsJsonAsync($"/portal/api/sites/{own}/preferences", new { backupReservePct = 35, participating = false });
        ok.StatusCode.Should().Be(HttpStatusCode.OK);

        using var api = host.Api();
        var after = await api.GetViewAsync<SiteView>($"/api/sites/{own}");
        after.BackupReservePct.Should().Be(35);
        after.Participating.Should().BeFalse();
        var timeline = await Eventually.Until(async () => (await api.GetViewAsync<ResultPage<TimelineEntryView>>($"/api/sites/{own}/timeline")).Items,
            items => items.Any(i => i.Type == "PreferencesChanged"));
        timeline.Count(i => i.Type == "PreferencesChanged").Should().Be(1, "refused changes were not recorded");
        timeline.Single(i => i.Type == "PreferencesChanged").Summary.Should().Contain("homeowner:erin");
    }

    [Fact]
    public async Task A_homeowner_opts_out_of_a_coming_event_and_the_opt_out_is_event_sourced()
    {
        var (home, requestId) = await ComingEvent.StartAsync(host, "frank-home", "dash-region", "frank", Password);
        await using var _ = home;
        using var api = host.Api();

        // The operator's view lists the dispatch with what was requested and accepted.
        using (var operatorBrowser = host.Browser(await host.SignInOperatorAsync()))
        {
            var region = (await operatorBrowser.GetViewAsync<OperationsView>("/portal/api/operations")).Regions.Single(r => r.Region == "dash-region");
            var listed = region.Dispatches.Single(d => d.RequestId == requestId);
            listed.RequestedKw.Should().Be(1.0);
            listed.AcceptedKw.Should().Be(1.0);
            listed.Status.Should().Be(DispatchStatus.Accepted);
            region.Flexibility.Sites.Should().Be(1);
        }

        using var browser = host.Browser(await host.SignInHomeownerAsync("frank", Password));
        var ev = (await browser.GetViewAsync<PortalEventsView>("/portal/api/sites/frank-home/events")).Events.Single(e => e.RequestId == requestId);
        ev.Status.Should().Be("upcoming");
        ev.Direction.Should().Be("discharge");
        ev.OptedOut.Should().BeFalse();

        (await browser.PostAsync("/portal/api/sites/frank-home/events/not-an-event/opt-out", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var res = await browser.PostAsync($"/portal/api/sites/frank-home/events/{requestId}/opt-out", null);
        res.StatusCode.Should().Be(HttpStatusCode.OK);
        (await res.ReadViewAsync<PortalEventsView>()).Events.Single(e => e.RequestId == requestId).OptedOut.Should().BeTrue();

        var timeline = await Eventually.Until(async () => (await api.GetViewAsync<ResultPage<TimelineEntryView>>("/api/sites/frank-home/timeline")).Items,
            items => items.Any(i => i.Type == "DispatchOptedOut"));
        timeline.Where(i => i.Type == "DispatchOptedOut").Should().ContainSingle()
            .Which.Summary.Should().Contain(requestId).And.Contain("homeowner:frank");
    }

    [Fact]
    public async Task Todays_energy_counts_battery_export_as_export_not_home_consumption()
    {
        var (own, _, user, tokens) = await TwoHomes("gina");
        await using var battery = await host.ConnectAsync(tokens[own + "-bat"]);
        await using var meter = await host.ConnectAsync(tokens[own + "-meter"]);
        // "Today" is the home's day and history holds whole minutes: near midnight in Berlin, wait until
        // an ended minute of today two minutes back exists (and the test cannot run into tomorrow).
        var berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        await Eventually.Value(() => Now.InZone(berlin).TimeOfDay, t => t >= new LocalTime(0, 3) && t < new LocalTime(23, 59), timeoutMs: 300_000);
        // 20 one-second readings in a minute that has ended: the battery discharges 5 kW for the VPP,
        // the home uses 1 kW, 4 kW are exported.
        var start = Instant.FromUnixTimeSeconds(Now.ToUnixTimeSeconds() / 60 * 60) - Duration.FromMinutes(2);
        for (var i = 0; i < 20; i++)
        {
            var ts = Iso(start + Duration.FromSeconds(i));
            await battery.SendJsonAsync(new { type = "telemetry", seq = i + 1, ts, powerKw = 5.0, socPct = 70.0 });
            await meter.SendJsonAsync(new { type = "telemetry", seq = i + 1, ts, powerKw = 0.0, gridKw = -4.0, loadKw = 1.0 });
        }

        using var browser = host.Browser(await host.SignInHomeownerAsync(user, Password));
        var today = await Eventually.Until(() => browser.GetViewAsync<TodayEnergyView>($"/portal/api/sites/{own}/energy/today"),
            e => e.ExportKwh >= 20 * 4 / 3600.0 - 1e-9, timeoutMs: 15_000);
        today.ExportKwh.Should().BeApproximately(20 * 4 / 3600.0, 1e-9);
        today.BatteryDischargeKwh.Should().BeApproximately(20 * 5 / 3600.0, 1e-9);
        today.ConsumptionKwh.Should().BeApproximately(20 * 1 / 3600.0, 1e-9, "exported battery energy is not home use");
        today.ImportKwh.Should().Be(0);
        today.Date.Should().Be(start.InZone(berlin).Date);
    }

    [Fact]
    public async Task A_fleet_viewer_gets_at_most_two_fleet_messages_a_second_however_fast_the_fleet_changes()
    {
        var (own, _, _, tokens) = await TwoHomes("fleetload");
        await using var battery = await host.ConnectAsync(tokens[own + "-bat"]);
        await using var live = await host.LiveAsync();
        var received = new System.Collections.Concurrent.ConcurrentQueue<long>();
        await live.InvokeAsync<FleetSummary>("JoinFleet");
        live.On<FleetSummary>("FleetSummary", _ => received.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp()));

        // Big swings 10 times a second: every site report is significant and the fleet publishes every 100 ms.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var seq = 1; clock.Elapsed < TimeSpan.FromSeconds(6); seq++)
        {
            await battery.SendJsonAsync(new { type = "telemetry", seq, ts = Iso(Now), powerKw = seq % 2 == 0 ? 4.0 : -4.0, socPct = 50.0 });
            await Task.Delay(100);
        }
        received.Count.Should().BeGreaterThanOrEqualTo(2, "the fleet changed all the time");
        var window = received.Where(t => System.Diagnostics.Stopwatch.GetElapsedTime(t) < TimeSpan.FromSeconds(5)).ToList();
        window.Count.Should().BeLessThanOrEqualTo(11, "at most 2 a second (plus one at the window's edge)");
        var gaps = received.Zip(received.Skip(1), (a, b) => System.Diagnostics.Stopwatch.GetElapsedTime(a, b)).ToList();
        gaps.Should().OnlyContain(g => g >= TimeSpan.FromMilliseconds(400), "messages are spaced by the 500 ms throttle (less scheduling jitter)");
    }
}
