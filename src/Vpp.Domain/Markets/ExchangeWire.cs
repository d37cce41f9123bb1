namespace Vpp.Domain.Markets;

// The JSON shapes of the exchange API (docs/markets.md, "Exchange API"), shared by the simulated
// exchange and the VPP's HTTP adapter. Instants are ISO-8601 strings, days ISO dates.

/// <summary>PUT …/bids body: one curve per product the participant trades.</summary>
public sealed record BidsWire(IReadOnlyList<BidCurve> Curves);

public sealed record AwardWire(int ProductIndex, string Start, string End, double AwardedKw, double ClearingPriceEurPerMwh);

/// <summary>GET …/awards: <see cref="Cleared"/> is false until the gate has closed.</summary>
public sealed record AwardsWire(bool Cleared, IReadOnlyList<AwardWire> Awards);

public sealed record PriceWire(string Start, double PriceEurPerMwh);

public sealed record PricesWire(IReadOnlyList<PriceWire> Prices);

/// <summary>Body of every 4xx answer.</summary>
public sealed record ExchangeErrorWire(string Error);
