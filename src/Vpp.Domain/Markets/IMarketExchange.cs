using NodaTime;

namespace Vpp.Domain.Markets;

/// <summary>
/// An exchange as the VPP trades with it (a port: the HTTP adapter talks to the simulated exchange
/// in simulators/, a real exchange connection would implement the same). The participant is the
/// VPP's portfolio in one region. Errors the exchange states (a refused bid, a closed gate) are
/// <see cref="ExchangeRefusedException"/>; anything else is a transport fault worth retrying.
/// </summary>
public interface IMarketExchange
{
    /// <summary>Submits (or replaces) the participant's bids for a delivery day.</summary>
    Task SubmitAsync(string market, string participant, LocalDate deliveryDay, IReadOnlyList<BidCurve> bids, CancellationToken ct);

    /// <summary>The participant's awards for the day, or null while the day is not cleared yet.</summary>
    Task<IReadOnlyList<ProductAward>?> AwardsAsync(string market, string participant, LocalDate deliveryDay, CancellationToken ct);

    /// <summary>Published clearing prices (EUR/MWh) of the products that start in <paramref name="window"/>, by start.</summary>
    Task<IReadOnlyDictionary<Instant, double>> PricesAsync(string market, Interval window, CancellationToken ct);
}

/// <summary>The exchange said no, with its reason (a bid that breaks the rules, a gate that is closed).</summary>
public sealed class ExchangeRefusedException(string reason) : Exception(reason);
