using Vpp.Domain.Units;

namespace Vpp.Domain.Sites;

/// <summary>
/// Power balance at a home's connection point. With the product's sign convention
/// (PV and battery positive when supplying, grid positive when importing) the home's
/// consumption is what flows in: load = pv + battery + grid.
/// </summary>
public readonly record struct SitePowerBalance(Power Pv, Power Battery, Power Grid)
{
    public Power Load => Pv + Battery + Grid;

    /// <summary>Grid import the meter should read for a given load: grid = load − pv − battery.</summary>
    public static Power GridFor(Power load, Power pv, Power battery) => load - pv - battery;

    public Power Import => Grid.Kw > 0 ? Grid : Power.Zero;
    public Power Export => Grid.Kw < 0 ? -Grid : Power.Zero;
}
