using System.Net;
using Vpp.Host.Markets;

namespace Vpp.EndToEnd.Tests.Markets;

/// <summary>Market configuration that cannot work stops the host with the reason; the market API refuses bad requests clearly.</summary>
public sealed class MarketConfigurationTests(VppHost host) : IClassFixture<VppHost>
{
    private static MarketsHostOptions Valid() => new() { ExchangeUrl = "http://127.0.0.1:5090/", Regions = ["north"] };

    [Fact]
    public void A_valid_configuration_builds_the_markets_and_no_exchange_means_no_trading()
    {
        var (options, problem) = Valid().Build();
        problem.Should().BeNull();
        options!.Calendar.Products(new NodaTime.LocalDate(2026, 11, 25)).Should().HaveCount(96);
        options.Reserve.Enabled.Should().BeFalse();

        var reserve = Valid();
        reserve.Reserve.Enabled = true;
        reserve.Build().Options!.Reserve.Calendar.Products(new NodaTime.LocalDate(2026, 11, 25)).Should().HaveCount(6);

        new MarketsHostOptions().Build().Problem.Should().BeNull("without an exchange nothing is traded");
    }

    [Theory]
    [InlineData("url", "ExchangeUrl")]
    [InlineData("regions", "Regions")]
    [InlineData("zone", "tz database")]
    [InlineData("product", "ProductMinutes")]
    [InlineData("gate", "GateClosure")]
    [InlineData("window", "ends before it starts")]
    [InlineData("rte", "RoundTripEfficiency")]
    [InlineData("negative", "must be ≥ 0")]
    [InlineData("mode", "Reserve: Mode")]
    [InlineData("reserve-window", "Reserve: a partial delivery day needs sub-hourly products")]
    public void A_configuration_that_cannot_work_is_refused_with_the_reason(string what, string reason)
    {
        var o = Valid();
        switch (what)
        {
            case "url": o.ExchangeUrl = "not a url"; break;
            case "regions": o.Regions = []; break;
            case "zone": o.TimeZone = "Mars/Olympus"; break;
            case "product": o.ProductMinutes = 0; break;
            case "gate": o.GateClosure = "noon"; break;
            case "window": (o.DeliveryFrom, o.DeliveryTo) = ("14:00", "12:00"); break;
            case "rte": o.RoundTripEfficiency = 1.5; break;
            case "negative": o.MinBidKw = -1; break;
            case "mode": (o.Reserve.Enabled, o.Reserve.Mode) = (true, "psychic"); break;
            case "reserve-window": (o.Reserve.Enabled, o.Reserve.DeliveryFrom) = (true, "08:00"); break;
        }
        var (options, problem) = o.Build();
        options.Should().BeNull();
        problem.Should().Contain(reason);
    }

    [Fact]
    public async Task The_market_api_refuses_a_bad_day_and_says_when_markets_are_not_configured()
    {
        using var api = host.Api();
        (await api.GetAsync("/api/markets/day-ahead/north/25.11.2026")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var off = await api.GetAsync("/api/markets/day-ahead/north/2026-11-25");
        off.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await off.Content.ReadAsStringAsync()).Should().Contain("Markets are not configured");
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        (await anonymous.GetAsync("/api/markets/day-ahead/north/2026-11-25")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
