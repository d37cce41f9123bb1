namespace Vpp.EndToEnd.Tests.Markets;

/// <summary>
/// The market flows run on a wall-clock timeline (bids, gate, products within two minutes): they run
/// one after the other, and after every other test class rather than beside them, so nothing starves
/// them of the two cores while a 20-second product is measured (a product delivered 79 % once in CI,
/// with browser and host tests running beside it; never in local runs alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeMarkets
{
    public const string Name = "Real-time market days";
}
