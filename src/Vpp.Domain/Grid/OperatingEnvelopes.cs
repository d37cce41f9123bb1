using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>A grid operator's limits on a site's connection over a window (magnitudes ≥ 0).</summary>
public sealed record EnvelopeLimit(Power Import, Power Export, Instant ValidFrom, Instant ValidUntil);

/// <summary>How much further a site may move along its connection without leaving its envelope.</summary>
public static class OperatingEnvelopes
{
    /// <summary>The most restrictive of the envelopes in force over [from, until); null when none applies.</summary>
    public static (Power Import, Power Export)? Effective(IEnumerable<EnvelopeLimit> envelopes, Instant from, Instant until)
    {
        var active = envelopes.Where(e => e.ValidFrom < until && e.ValidUntil > from).ToList();
        if (active.Count == 0) return null;
        return (new Power(active.Min(e => e.Import.Kw)), new Power(active.Min(e => e.Export.Kw)));
    }

    /// <summary>
    /// Extra power out of the site (up) and into it (down), as magnitudes, that keep the connection
    /// within the limits, given the current grid flow (<paramref name="grid"/> &gt; 0 = import).
    /// Going up lowers the grid flow towards export; going down raises it towards import.
    /// </summary>
    public static (Power Up, Power Down) Headroom(Power grid, (Power Import, Power Export)? limits)
    {
        if (limits is not { } l) return (new Power(double.PositiveInfinity), new Power(double.PositiveInfinity));
        return (new Power(Math.Max(0, grid.Kw + l.Export.Kw)), new Power(Math.Max(0, l.Import.Kw - grid.Kw)));
    }
}
