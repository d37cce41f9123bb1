using System.Collections.Concurrent;
using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Grains.Tests;

/// <summary>
/// The exchange is outside the system: this one is scripted by the test. It can be down (every call
/// throws a transport error) or refuse bids with a reason; it clears submitted curves at fixed prices.
/// </summary>
public sealed class ScriptedExchange : IMarketExchange
{
    public ConcurrentDictionary<Instant, double> Prices { get; } = new();
    public ConcurrentDictionary<Instant, double> ReservePrices { get; } = new();
    public ConcurrentQueue<(string Participant, LocalDate Day, IReadOnlyList<BidCurve> Bids)> Submissions { get; } = new();
    public ConcurrentQueue<(string Participant, LocalDate Day, IReadOnlyList<BidCurve> Bids)> ReserveSubmissions { get; } = new();
    public bool Down { get; set; }
    public string? Refuse { get; set; }
    public bool Cleared { get; set; }

    /// <summary>Back to an exchange that is up, accepts bids and has not cleared: each test scripts its own.</summary>
    public void ResetScript()
    {
        Down = false;
        Refuse = null;
        Cleared = false;
    }

    private void ThrowIfDown()
    {
        if (Down) throw new HttpRequestException("exchange unreachable (scripted)");
    }

    public Task SubmitAsync(string market, string participant, LocalDate deliveryDay, IReadOnlyList<BidCurve> bids, CancellationToken ct)
    {
        ThrowIfDown();
        if (Refuse is { } reason) throw new ExchangeRefusedException(reason);
        (market == "reserve-capacity" ? ReserveSubmissions : Submissions).Enqueue((participant, deliveryDay, bids));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ProductAward>?> AwardsAsync(string market, string participant, LocalDate deliveryDay, CancellationToken ct)
    {
        ThrowIfDown();
        if (!Cleared) return Task.FromResult<IReadOnlyList<ProductAward>?>(null);
        var bids = (market == "reserve-capacity" ? ReserveSubmissions : Submissions)
            .Where(s => s.Participant == participant && s.Day == deliveryDay).Select(s => s.Bids).LastOrDefault() ?? [];
        var berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var products = (market == "reserve-capacity" ? MarketCalendar.ReserveCapacity(berlin) : MarketCalendar.DayAhead(berlin)).Products(deliveryDay);
        var prices = market == "reserve-capacity" ? ReservePrices : Prices;
        return Task.FromResult<IReadOnlyList<ProductAward>?>(bids
            .Select(b => new ProductAward(b.ProductIndex, products[b.ProductIndex].Delivery, b.QuantityAt(prices[products[b.ProductIndex].Delivery.Start]),
                prices[products[b.ProductIndex].Delivery.Start]))
            .ToList());
    }

    public Task<IReadOnlyDictionary<Instant, double>> PricesAsync(string market, Interval window, CancellationToken ct)
    {
        ThrowIfDown();
        return Task.FromResult<IReadOnlyDictionary<Instant, double>>(Prices.Where(p => window.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value));
    }
}
