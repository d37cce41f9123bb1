namespace Vpp.EndToEnd.Tests.Markets;

/// <summary>
/// The market flows run on a wall-clock timeline (bids, gate, products within two minutes): they run
/// one after the other, not beside each other, so neither starves the other of the two cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealTimeMarkets
{
    public const string Name = "Real-time market days";
}
