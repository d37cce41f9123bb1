using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Testing;
using Vpp.Domain.Markets;
using Vpp.Simulators.Market;

namespace Vpp.Simulators.Tests;

/// <summary>The simulated exchange's HTTP API on a real socket, with a fake clock around gate closure.</summary>
public class ExchangeServerTests
{
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);
    private static readonly LocalDate Day = new(2026, 11, 25);
    private const string Bids = "markets/day-ahead/participants/north/days/2026-11-25/bids";
    private const string Awards = "markets/day-ahead/participants/north/days/2026-11-25/awards";
    // Gate closure for the 25th: the 24th at 12:00 Berlin = 11:00 UTC.
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 24, 10, 0));

    private async Task<(ExchangeServer Server, HttpClient Http)> StartAsync()
    {
        var prices = DayAhead.Products(Day).Concat(DayAhead.Products(Day.PlusDays(-1))).ToDictionary(p => p.Delivery.Start, p => (double)p.Index);
        var server = await ExchangeServer.StartAsync(
            new Dictionary<string, SimulatedMarket> { ["day-ahead"] = new(DayAhead, new SimulatedExchange(prices, minBidKw: 100)) }, _clock, 0);
        return (server, new HttpClient { BaseAddress = server.BaseAddress });
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> Error(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>();

    [Fact]
    public async Task Bids_before_gate_closure_are_cleared_at_gate_closure_and_prices_are_published_only_then()
    {
        var (server, http) = await StartAsync();
        await using var _ = server;
        var curves = new { curves = new[] { new { productIndex = 10, steps = new[] { new { priceEurPerMwh = 5.0, quantityKw = 150.0 } } } } };

        (await http.PutAsJsonAsync(Bids, curves)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await http.GetFromJsonAsync<JsonObject>(Awards))!["cleared"]!.GetValue<bool>().Should().BeFalse("the gate is still open");
        var hidden = await http.GetFromJsonAsync<JsonObject>("markets/day-ahead/prices?from=2026-11-24T23:00:00Z&to=2026-11-25T23:00:00Z");
        hidden!["prices"]!.AsArray().Should().BeEmpty("nobody sees a day's prices before it clears");

        _clock.AdvanceMinutes(60);
        var awards = (await http.GetFromJsonAsync<JsonObject>(Awards))!;
        awards["cleared"]!.GetValue<bool>().Should().BeTrue();
        var award = awards["awards"]!.AsArray().Single()!;
        award["productIndex"]!.GetValue<int>().Should().Be(10);
        award["clearingPriceEurPerMwh"]!.GetValue<double>().Should().Be(10, "the series prices product i at i");
        award["awardedKw"]!.GetValue<double>().Should().Be(150, "the curve offers 150 kW from 5 EUR/MWh");
        var published = await http.GetFromJsonAsync<JsonObject>("markets/day-ahead/prices?from=2026-11-24T23:00:00Z&to=2026-11-25T23:00:00Z");
        published!["prices"]!.AsArray().Should().HaveCount(96);
        server.Submissions.Should().Be(1);
    }

    [Fact]
    public async Task A_new_put_replaces_the_participants_bids()
    {
        var (server, http) = await StartAsync();
        await using var _ = server;
        object Curve(int product) => new { curves = new[] { new { productIndex = product, steps = new[] { new { priceEurPerMwh = 5.0, quantityKw = 150.0 } } } } };

        (await http.PutAsJsonAsync(Bids, Curve(10))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await http.PutAsJsonAsync(Bids, Curve(20))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        _clock.AdvanceMinutes(60);

        var awards = (await http.GetFromJsonAsync<JsonObject>(Awards))!["awards"]!.AsArray();
        awards.Select(a => a!["productIndex"]!.GetValue<int>()).Should().Equal(20);
        server.Submissions.Should().Be(2);
    }

    [Theory]
    [InlineData("{", "malformed")]
    [InlineData("{}", "curves")]
    [InlineData("""{"curves":[{"productIndex":96,"steps":[]}]}""", "does not exist")]
    [InlineData("""{"curves":[{"productIndex":1,"steps":[{"priceEurPerMwh":1,"quantityKw":50}]}]}""", "minimum bid")]
    [InlineData("""{"curves":[{"productIndex":1,"steps":[{"priceEurPerMwh":9,"quantityKw":200},{"priceEurPerMwh":5,"quantityKw":300}]}]}""", "prices must rise")]
    [InlineData("""{"curves":[{"productIndex":1,"steps":[]},{"productIndex":1,"steps":[]}]}""", "two curves")]
    public async Task A_bid_that_breaks_the_rules_is_refused_with_the_reason_and_nothing_is_recorded(string body, string reason)
    {
        var (server, http) = await StartAsync();
        await using var _ = server;

        var r = await http.PutAsync(Bids, Json(body));

        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Error(r)).Should().Contain(reason);
        server.Submissions.Should().Be(0);
    }

    [Fact]
    public async Task Bids_after_gate_closure_an_unknown_market_and_a_bad_day_are_refused_clearly()
    {
        var (server, http) = await StartAsync();
        await using var _ = server;
        _clock.AdvanceMinutes(61);

        var late = await http.PutAsync(Bids, Json("""{"curves":[]}"""));
        late.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Error(late)).Should().Contain("closed");
        (await http.GetAsync("markets/intraday/participants/north/days/2026-11-25/awards")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var badDay = await http.GetAsync("markets/day-ahead/participants/north/days/25.11.2026/awards");
        badDay.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Error(badDay)).Should().Contain("ISO date");
        (await http.GetAsync("markets/day-ahead/prices?from=x&to=y")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
