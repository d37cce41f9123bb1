using NodaTime;

namespace Vpp.Domain.Markets;

/// <summary>What the market awarded for one product: kW (&gt; 0 sold, &lt; 0 bought) at the clearing price.</summary>
public sealed record ProductAward(int ProductIndex, Interval Delivery, double AwardedKw, double ClearingPriceEurPerMwh)
{
    public double AwardedKwh => AwardedKw * Delivery.Duration.TotalHours;
}

/// <summary>
/// One product after delivery, in kWh and EUR: the award is paid at the clearing price; the
/// difference between delivered and awarded energy (imbalance, &gt; 0 = more delivered) is settled
/// at the imbalance price (extra energy is sold at it, missing energy is bought at it).
/// </summary>
public sealed record ProductSettlement(int ProductIndex, double AwardedKwh, double DeliveredKwh, double ImbalanceKwh, double MarketEur, double ImbalanceEur)
{
    public double NetEur => MarketEur + ImbalanceEur;
}

public static class Settlement
{
    /// <summary>
    /// A simple imbalance price: the clearing price made worse by a penalty for whoever is out of
    /// balance (missing energy is bought at clearing + penalty, extra energy sold at clearing − penalty).
    /// </summary>
    public static double ImbalancePrice(double clearingPriceEurPerMwh, double imbalanceKwh, double penaltyEurPerMwh) =>
        imbalanceKwh < 0 ? clearingPriceEurPerMwh + penaltyEurPerMwh : clearingPriceEurPerMwh - penaltyEurPerMwh;

    /// <summary>Settles at the penalised imbalance price (<see cref="ImbalancePrice"/>).</summary>
    public static ProductSettlement SettleWithPenalty(ProductAward award, double deliveredKwh, double penaltyEurPerMwh) =>
        Settle(award, deliveredKwh, ImbalancePrice(award.ClearingPriceEurPerMwh, deliveredKwh - award.AwardedKwh, penaltyEurPerMwh));

    public static ProductSettlement Settle(ProductAward award, double deliveredKwh, double imbalancePriceEurPerMwh)
    {
        if (!double.IsFinite(deliveredKwh) || !double.IsFinite(imbalancePriceEurPerMwh))
            throw new ArgumentException("Delivered energy and the imbalance price must be numbers.");
        var imbalance = deliveredKwh - award.AwardedKwh;
        return new ProductSettlement(award.ProductIndex, award.AwardedKwh, deliveredKwh, imbalance,
            award.AwardedKwh * award.ClearingPriceEurPerMwh / 1000, imbalance * imbalancePriceEurPerMwh / 1000);
    }

    /// <summary>
    /// Each site's share of a product's net result, by the energy it delivered in the award's
    /// direction (a site that worked against it, or not at all, earns nothing). Shares sum to the
    /// product's net result when anyone delivered; otherwise nobody gets anything.
    /// </summary>
    public static IReadOnlyDictionary<string, double> SiteShares(ProductSettlement product, IReadOnlyDictionary<string, double> deliveredKwhBySite)
    {
        var sign = Math.Sign(product.AwardedKwh);
        var helped = deliveredKwhBySite.ToDictionary(s => s.Key, s => sign == 0 ? 0 : Math.Max(0, s.Value * sign));
        var total = helped.Values.Sum();
        return helped.ToDictionary(s => s.Key, s => total > 0 ? product.NetEur * s.Value / total : 0);
    }
}
