using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;

namespace Vpp.Simulators.Market;

/// <summary>
/// A day-ahead exchange for tests and backtests: the clearing price of every product comes from a
/// price series (CSV "ts,priceEurPerMwh", ts = the product's start, ISO instant), and each bid
/// curve is awarded the quantity it offers at that price. The fleet is a price taker: its bids do
/// not move the price. Bids that break the market's rules are refused with the reason.
/// </summary>
public sealed class SimulatedExchange(IReadOnlyDictionary<Instant, double> pricesByStart, double minBidKw)
{
    public double MinBidKw => minBidKw;

    /// <summary>The clearing price series, by product start.</summary>
    public IReadOnlyDictionary<Instant, double> Prices => pricesByStart;

    public static SimulatedExchange FromCsv(TextReader csv, double minBidKw) => new(ReadPrices(csv), minBidKw);

    /// <summary>Reads a price series (CSV "ts,priceEurPerMwh"); a malformed line is refused with its number.</summary>
    public static IReadOnlyDictionary<Instant, double> ReadPrices(TextReader csv)
    {
        var prices = new Dictionary<Instant, double>();
        var lineNo = 0;
        while (csv.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith("ts", StringComparison.OrdinalIgnoreCase) || line.StartsWith('#')) continue;
            var parts = line.Split(',');
            var ts = parts.Length == 2 ? InstantPattern.ExtendedIso.Parse(parts[0].Trim()) : null;
            if (ts is not { Success: true } || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !double.IsFinite(price))
                throw new FormatException($"price series line {lineNo}: expected \"ts,priceEurPerMwh\", got \"{line}\"");
            prices[ts.Value] = price;
        }
        return prices;
    }

    /// <summary>Awards for the delivery day's products. A product without a price in the series or without a bid gets no award.</summary>
    public IReadOnlyList<ProductAward> Clear(MarketCalendar market, LocalDate deliveryDay, IReadOnlyList<BidCurve> bids)
    {
        foreach (var bid in bids)
            if (bid.Problem(minBidKw) is { } problem) throw new ArgumentException($"Bid for product {bid.ProductIndex} refused: {problem}");
        var byProduct = bids.ToDictionary(b => b.ProductIndex);
        var awards = new List<ProductAward>();
        foreach (var product in market.Products(deliveryDay))
        {
            if (!pricesByStart.TryGetValue(product.Delivery.Start, out var price) || !byProduct.TryGetValue(product.Index, out var bid)) continue;
            awards.Add(new ProductAward(product.Index, product.Delivery, bid.QuantityAt(price), price));
        }
        return awards;
    }
}
