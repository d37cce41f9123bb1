using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Host.Api;
using Vpp.Persistence.ReadModels;
using Vpp.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>The dashboards in a real browser (Debian's Chromium through Playwright) against the real host.</summary>
public sealed class DashboardBrowserTests(DashboardHost host, Chromium chromium) : IClassFixture<DashboardHost>, IClassFixture<Chromium>
{
    private const string Password = "correct horse battery";
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    private async Task<Dictionary<string, string>> HomeWithAccount(string siteId, string user)
    {
        var tokens = await host.RegisterHomeAsync(siteId);
        await host.CreateHomeownerAsync(siteId, user, Password);
        return tokens;
    }

    /// <summary>Signs in through the form with the keyboard only: tab order, typing, Enter.</summary>
    private Task<IPage> SignInAsync(string user, int width = 1200, int height = 1000) => SignInAsync(host, user, width, height);

    private async Task<IPage> SignInAsync(VppHost on, string user, int width = 1200, int height = 1000)
    {
        var page = await chromium.NewPageAsync(on.BaseAddress, width, height);
        await page.GotoAsync("/");
        await page.Keyboard.PressAsync("Tab"); // first focusable element: the user name
        await Expect(page.Locator("#username")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(user);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(Password);
        await page.Keyboard.PressAsync("Enter");
        // Generous: the password hash is slow on purpose, and the suite runs other hosts on the same two cores.
        await page.WaitForURLAsync("**/home.html", new() { Timeout = 90_000 });
        return page;
    }

    private async Task<IPage> OperatorSignInAsync(VppHost? on = null)
    {
        var page = await chromium.NewPageAsync((on ?? host).BaseAddress);
        await page.GotoAsync("/");
        await page.FillAsync("#api-key", VppHost.ApiKey);
        await page.ClickAsync("#operator-form button");
        await page.WaitForURLAsync("**/operator.html", new() { Timeout = 90_000 });
        return page;
    }

    [Fact]
    public async Task A_homeowner_signs_in_and_sees_the_live_numbers_change_with_telemetry()
    {
        var tokens = await HomeWithAccount("pw-live", "pwlive");
        await using var battery = await host.ConnectAsync(tokens["pw-live-bat"]);
        var page = await SignInAsync("pwlive");
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, r) => requests.Enqueue(r.Url);
        await page.ReloadAsync(); // every request of a full page load, seen from the start
        await Expect(page.Locator("#conn")).ToHaveTextAsync("live");

        await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Iso(Now), powerKw = 1.11, socPct = 55.0 });
        await Expect(page.Locator("#h-battery")).ToHaveTextAsync("1.11", new() { Timeout = 5000 });
        await Expect(page.Locator("#h-soc")).ToHaveTextAsync("55.0");
        await battery.SendJsonAsync(new { type = "telemetry", seq = 2, ts = Iso(Now), powerKw = -2.5, socPct = 56.0 });
        await Expect(page.Locator("#h-battery")).ToHaveTextAsync("-2.50", new() { Timeout = 5000 });
        await Expect(page.Locator("#flow-text")).ToContainTextAsync("battery charging 2.50 kW");
        await Expect(page.Locator("#h-reserve")).ToHaveTextAsync("20");
        await Expect(page.Locator("#earnings")).ToContainTextAsync("No settlements yet");
        await Expect(page.Locator("#h-devices")).ToContainTextAsync("pw-live-bat");
        await Expect(page.Locator("#h-devices tr", new() { HasText = "pw-live-bat" })).ToContainTextAsync("online");
        requests.Should().NotBeEmpty().And.OnlyContain(u => u.StartsWith(host.BaseAddress.ToString().TrimEnd('/')) || u.StartsWith("ws://" + host.BaseAddress.Authority),
            "no CDN or other outside address: everything the page loads comes from the host");
    }

    [Fact]
    public async Task A_homeowner_cannot_load_or_subscribe_to_another_site()
    {
        await HomeWithAccount("pw-mine", "pwmine");
        var otherTokens = await host.RegisterHomeAsync("pw-theirs");
        var page = await SignInAsync("pwmine");
        await Expect(page.Locator("#conn")).ToHaveTextAsync("live");

        // Asking for the other home in the address bar still shows one's own.
        await page.GotoAsync("/home.html?site=pw-theirs");
        await Expect(page.Locator("#h-name")).ToHaveTextAsync("Home");
        (await page.EvaluateAsync<int>("fetch('/portal/api/sites/pw-theirs').then(r => r.status)")).Should().Be(403);
        (await page.EvaluateAsync<int>("fetch('/portal/api/sites/pw-theirs/history?range=24h').then(r => r.status)")).Should().Be(403);

        // A hand-made hub connection in the page: joining the other site fails, and nothing of it arrives.
        var joinError = await page.EvaluateAsync<string>("""
            (async () => {
              window.leaked = [];
              const c = new signalR.HubConnectionBuilder().withUrl('/hubs/live').build();
              c.on('SiteState', s => { if (s.siteId === 'pw-theirs') window.leaked.push(s); });
              await c.start();
              window.spy = c;
              try { await c.invoke('JoinSite', 'pw-theirs'); return 'joined'; } catch (e) { return e.message; }
            })()
            """);
        joinError.Should().Contain("not allowed");
        await using var operatorLive = await host.LiveAsync();
        var operatorSaw = new System.Collections.Concurrent.ConcurrentQueue<SiteState>();
        operatorLive.On<SiteState>("SiteState", operatorSaw.Enqueue);
        await operatorLive.InvokeAsync<SiteState>("JoinSite", "pw-theirs"); // the other site publishes for its own viewer
        await using var battery = await host.ConnectAsync(otherTokens["pw-theirs-bat"]);
        for (var seq = 1; seq <= 4; seq++)
            await battery.SendJsonAsync(new { type = "telemetry", seq, ts = Iso(Now), powerKw = 3.3, socPct = 80.0 });
        // The other site's state went out (its operator viewer has it); none of it reached the page.
        await Eventually.Value(() => operatorSaw.ToArray(), s => s.Any(x => x.BatteryKw == 3.3));
        // A round trip on the page's own connection: anything sent to it before has arrived.
        await page.EvaluateAsync("() => window.spy.invoke('ListSites')");
        (await page.EvaluateAsync<int>("window.leaked.length")).Should().Be(0);
    }

    [Fact]
    public async Task The_opt_out_control_records_the_opt_out()
    {
        var (home, requestId) = await ComingEvent.StartAsync(host, "pw-optout", "pw-region", "pwoptout", Password);
        await using var _ = home;
        using var api = host.Api();

        var page = await SignInAsync("pwoptout");
        var button = page.Locator($"button[data-request-id='{requestId}']");
        await Expect(button).ToBeVisibleAsync();
        await button.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#events .tag")).ToHaveTextAsync("opted out");

        var timeline = await Eventually.Until(async () => (await api.GetViewAsync<ResultPage<TimelineEntryView>>("/api/sites/pw-optout/timeline")).Items,
            items => items.Any(i => i.Type == "DispatchOptedOut"));
        timeline.Should().ContainSingle(i => i.Type == "DispatchOptedOut")
            .Which.Summary.Should().Contain(requestId).And.Contain("homeowner:pwoptout");
    }

    [Fact]
    public async Task The_operator_view_shows_the_fleet_counts()
    {
        var tokens = await host.RegisterHomeAsync("pw-fleet");
        await using var battery = await host.ConnectAsync(tokens["pw-fleet-bat"]);
        await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Iso(Now), powerKw = 0.5, socPct = 50.0 });
        var page = await OperatorSignInAsync();
        await Expect(page.Locator("#conn")).ToHaveTextAsync("live");

        using var api = host.Api();
        // The page and the API agree on the fleet (read close together: other tests' homes come and go).
        (await Eventually.Until<bool>(async () =>
        {
            var fleet = await api.GetViewAsync<FleetSummary>("/api/fleet");
            var shown = await page.Locator("#f-online").TextContentAsync();
            return shown == fleet.SitesOnline.ToString() && fleet.SitesOnline >= 1
                && await page.Locator("#f-offline").TextContentAsync() == fleet.SitesOffline.ToString();
        }, same => same, timeoutMs: 15_000)).Should().BeTrue();
        await Expect(page.Locator("#sites")).ToContainTextAsync("pw-fleet");
        await Expect(page.Locator("#kafka-where")).ToContainTextAsync("embedded");
    }

    [Fact]
    public async Task Screenshots_of_both_dashboards_on_a_desktop_and_a_phone()
    {
        var dir = Environment.GetEnvironmentVariable("VPP_SCREENSHOTS_DIR") is { Length: > 0 } d ? Path.GetFullPath(d)
            : Directory.CreateTempSubdirectory("vpp-shots").FullName;
        Directory.CreateDirectory(dir);
        // A day of history at one reading a minute: a 60 s telemetry interval and no flood limit for the replay.
        await using var shotHost = new ConfiguredVppHost(new Dictionary<string, string>
        {
            ["Vpp:TelemetryIntervalMs"] = "60000", ["Vpp:MaxMessagesPerSecond"] = "100000", ["Vpp:MessageBurst"] = "100000",
            ["Vpp:History:FlushIntervalSeconds"] = "1", ["shutdownTimeoutSeconds"] = "60", // its stop took 0.5–8 s here
        });
        using (var api = shotHost.Api())
        {
            foreach (var neighbour in new[] { "pw-shot-2", "pw-shot-3" }) await TestHomes.RegisterAsync(api, neighbour);
        }
        var tokens = await shotHost.RegisterHomeAsync("pw-shot");
        await shotHost.CreateHomeownerAsync("pw-shot", "pwshot", Password);
        await using var day = await SyntheticDay.PlayAsync(shotHost, tokens, "pw-shot");
        // The replayed day is in the history (the twins take it in and the rollups are written) before the page loads it once.
        using (var api = shotHost.Api())
        {
            var to = Now;
            await Eventually.Until(async () => (await api.GetViewAsync<SiteHistoryView>(
                    $"/api/sites/pw-shot/history?from={Iso(to - Duration.FromHours(24))}&to={Iso(to)}&resolution=15m")).Points.Count,
                n => n >= 90, timeoutMs: 30_000);
        }

        var page = await SignInAsync(shotHost, "pwshot");
        await Expect(page.Locator("#conn")).ToHaveTextAsync("live");
        await Expect(page.Locator("#hist-note")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("^9[67] points"), new() { Timeout = 15_000 });
        await Expect(page.Locator("#e-use")).Not.ToHaveTextAsync("0.00", new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "homeowner-dashboard.png"), FullPage = true });

        var phone = await SignInAsync(shotHost, "pwshot", 390, 844);
        await Expect(phone.Locator("#conn")).ToHaveTextAsync("live");
        (await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"))
            .Should().BeTrue("the homeowner page fits a phone's width without sideways scrolling");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "homeowner-phone.png"), FullPage = true });

        var ops = await OperatorSignInAsync(shotHost);
        await Expect(ops.Locator("#f-online")).ToHaveTextAsync("1");
        await Expect(ops.Locator("#f-offline")).ToHaveTextAsync("2");
        await ops.ScreenshotAsync(new() { Path = Path.Combine(dir, "operator-dashboard.png"), FullPage = true });

        foreach (var file in new[] { "homeowner-dashboard.png", "homeowner-phone.png", "operator-dashboard.png" })
            new FileInfo(Path.Combine(dir, file)).Length.Should().BeGreaterThan(10_000, file);
        // Viewers leave before the host stops, so its silo is not kept waiting on their hub calls.
        foreach (var p in new[] { page, phone, ops }) await p.Context.CloseAsync();

    }
}
