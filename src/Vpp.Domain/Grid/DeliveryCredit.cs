namespace Vpp.Domain.Grid;

/// <summary>
/// What a site is credited with for one delivery interval. The baseline method credits any drop in
/// the meter's flow, so a meter that reports high import before an event and export during it would
/// claim far more than the site was asked for, and settlement pays by delivered energy. A site is
/// credited at most its share with a tolerance for the household's own changes (load and PV move
/// the meter too, so a hard cap at the share would only ever cut honest sites' noise one way).
/// Working against the request is counted in full: it is what the grid saw.
/// </summary>
public static class DeliveryCredit
{
    /// <summary>Credit allowed beyond the share, relative to it.</summary>
    public const double ShareTolerance = 0.5;

    /// <summary>Credit allowed beyond the share for household noise, whatever the share's size.</summary>
    public const double NoiseKw = 0.5;

    /// <param name="measuredKw">Delivered power signed as the request (&gt; 0 sheds import for a request &gt; 0).</param>
    /// <param name="shareKw">The largest share the site held in the dispatch (its size counts; 0 for a site that never held one).</param>
    /// <param name="requestSign">The request's sign: +1 less import / more export, −1 the other way.</param>
    public static double Cap(double measuredKw, double shareKw, int requestSign)
    {
        var limit = Math.Abs(shareKw) * (1 + ShareTolerance) + NoiseKw;
        return requestSign >= 0 ? Math.Min(measuredKw, limit) : Math.Max(measuredKw, -limit);
    }
}
