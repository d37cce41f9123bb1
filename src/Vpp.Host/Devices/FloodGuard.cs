using NodaTime;

namespace Vpp.Host.Devices;

/// <summary>
/// Per-connection flood limits: a token bucket on all frames (sustained rate + burst) and a
/// sliding 10 s window on bad frames. Either tripping closes the connection with 1008.
/// </summary>
public sealed class FloodGuard(double maxPerSecond, int burst, int maxBadPer10s)
{
    private static readonly Duration BadWindow = Duration.FromSeconds(10);
    private readonly Queue<Instant> _bad = new();
    private double _tokens = burst;
    private Instant? _lastRefill;

    /// <summary>Counts one frame; false when the connection exceeds its message rate.</summary>
    public bool AllowFrame(Instant now)
    {
        if (maxPerSecond <= 0) return true;
        if (_lastRefill is { } last)
            _tokens = Math.Min(burst, _tokens + (now - last).TotalSeconds * maxPerSecond);
        _lastRefill = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>Counts one bad frame; false when there were too many in the last 10 s.</summary>
    public bool AllowBadFrame(Instant now)
    {
        _bad.Enqueue(now);
        while (_bad.Count > 0 && now - _bad.Peek() > BadWindow) _bad.Dequeue();
        return _bad.Count <= maxBadPer10s;
    }
}
