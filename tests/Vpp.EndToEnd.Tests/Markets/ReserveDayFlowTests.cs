extern alias sim;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Markets;
using Vpp.Domain.Markets;
using Vpp.EndToEnd.Tests.Dashboards;
using Vpp.EndToEnd.Tests.Grid;
using Vpp.Host.Portal;
using Vpp.Tests.Shared;
using sim::Vpp.Simulators.Market;

namespace Vpp.EndToEnd.Tests.Markets;

/// <summary>
/// The reserve-capacity auction end to end on the simulated exchange over HTTP: the host offers the
/// capacity its homes can hold, the awarded block becomes local droop on the real devices at the
/// block's start, and the block is settled to the homes. Blocks shrunk to 30 s for the test.
/// </summary>
[Collection(RealTimeMarkets.Name)]
public sealed class ReserveDayFlowTests
{
    [Fact]
    public async Task Awarded_reserve_capacity_becomes_droop_on_the_devices_at_the_block_start_and_is_settled_to_the_homes()
    {
        var market = ShrunkMarketDay.StartingSoon(gateInSeconds: 45, deliveryInSeconds: 65, productSeconds: 30, products: 2);
        var (zone, day) = (market.Zone, market.Day);
        var reserve = market.Calendar("reserve-capacity");
        var blocks = reserve.Products(day);
        blocks.Should().HaveCount(2);

        await using var exchange = await ExchangeServer.StartAsync(new Dictionary<string, SimulatedMarket>
        {
            ["reserve-capacity"] = new(reserve, new SimulatedExchange(blocks.ToDictionary(b => b.Delivery.Start, _ => 10.0), minBidKw: 1)),
            ["day-ahead"] = new(MarketCalendar.DayAhead(zone), new SimulatedExchange(new Dictionary<Instant, double>(), minBidKw: 100)),
        }, SystemClock.Instance, 0);
        await using var host = new ConfiguredVppHost(new Dictionary<string, string>(market.Settings("Vpp:Markets:Reserve"))
        {
            ["Vpp:Markets:ExchangeUrl"] = exchange.BaseAddress.ToString(),
            ["Vpp:Markets:Regions:0"] = "rsv",
            ["Vpp:Markets:TimeZone"] = zone.Id,
            ["Vpp:Markets:Reserve:Enabled"] = "true",
            ["Vpp:Markets:Reserve:BidLeadMinutes"] = "0.33",
            ["Vpp:Markets:Reserve:MinBidKw"] = "1",
        });
        using var api = host.Api();
        await using var homes = new HomeGroup();
        for (var i = 0; i < 3; i++) homes.Add(await TestHome.StartAsync(host, $"rsv-{i}", "rsv"));
        var dayText = LocalDatePattern.Iso.Format(day);

        // At the first block's start every battery gets its part as local droop, until the block ends.
        await Eventually.True(() => homes.All(h => h.FrequencyResponse is not null), timeoutMs: 120_000);
        var droop = homes.Select(h => h.FrequencyResponse!).ToList();
        droop.Sum(d => d.CommittedKw).Should().BeApproximately(9.6, 1e-3,
            "three homes covering a 1 kW load with 5 kW inverters and 2 kWh of room hold 4 kW each both ways; four fifths are offered");

        var view = await Eventually.Until(() => api.GetViewAsync<MarketDayView>($"/api/markets/reserve-capacity/rsv/{dayText}"),
            v => v.Status is "settled" or "no-bids", timeoutMs: 120_000);
        view.Status.Should().Be("settled", view.Reason);
        // 9.6 kW for 30 s at 10 EUR/MW/h, per block.
        view.MarketEur.Should().BeApproximately(2 * 9.6 / 1000 * 30 / 3600 * 10, 1e-9);
        view.ImbalanceEur.Should().BeApproximately(0, 1e-6);

        var session = Sessions.Browser(host.BaseAddress, await host.SignInOperatorAsync());
        var credited = 0.0;
        foreach (var home in homes)
        {
            var earnings = await session.GetViewAsync<EarningsView>($"/portal/api/sites/{home.SiteId}/earnings");
            earnings.SettledProducts.Should().Be(2);
            earnings.DeliveredKwh.Should().Be(0, "capacity is not energy");
            credited += earnings.TotalEarned ?? throw new InvalidOperationException($"{home.SiteId}: no total earned after settlement");
        }
        credited.Should().BeApproximately(view.MarketEur, 1e-9);
    }
}
