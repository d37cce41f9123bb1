using NodaTime;

namespace Vpp.Simulators.Fleet;

/// <summary>
/// The grid frequency the simulated homes measure: one value per second from a trace (synthetic or
/// CSV, as in <c>vpp-sim grid</c>), replayed from when the fleet starts and held at its last value.
/// </summary>
public sealed class FrequencyFeed(IEnumerable<double> trace, Instant start)
{
    private readonly IEnumerator<double> _trace = trace.GetEnumerator();
    private readonly List<double> _seen = [];
    private readonly Lock _lock = new();

    public double At(Instant now)
    {
        var second = (int)Math.Max(0, (now - start).TotalSeconds);
        lock (_lock)
        {
            while (_seen.Count <= second && _trace.MoveNext()) _seen.Add(_trace.Current);
            return _seen.Count == 0 ? 50 : _seen[Math.Min(second, _seen.Count - 1)];
        }
    }
}
