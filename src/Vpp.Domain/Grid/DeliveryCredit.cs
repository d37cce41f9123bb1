namespace Vpp.Domain.Grid;

/// <summary>
/// What a site is credited with for one delivery interval. The baseline method credits any drop in
/// the meter's flow, so a meter that reports high import before an event and export during it would
/// claim far more than the site was asked for, and settlement pays by delivered energy. A site is
/// credited at most its share; working against the request is counted in full (it is what the grid saw).
/// </summary>
public static class DeliveryCredit
{
    /// <param name="measuredKw">Delivered power signed as the request (&gt; 0 sheds import for a request &gt; 0).</param>
    /// <param name="shareKw">The site's share (its size counts; 0 for a site that lost it).</param>
    /// <param name="requestSign">The request's sign: +1 less import / more export, −1 the other way.</param>
    public static double Cap(double measuredKw, double shareKw, int requestSign)
    {
        var limit = Math.Abs(shareKw);
        return requestSign >= 0 ? Math.Min(measuredKw, limit) : Math.Max(measuredKw, -limit);
    }
}
