using NodaTime;
using Vpp.Domain.Units;

namespace Vpp.Domain.Grid;

/// <summary>
/// A bounded record of one power flow (a site's grid connection) for baselines and delivery
/// measurement. Readings are held as a step signal (each value holds until the next reading) and
/// integrated into fixed buckets; a gap longer than <c>maxGap</c> is unknown, not zero. Memory is
/// fixed: retention ÷ bucket slots. Pure: the caller supplies every instant.
/// </summary>
public sealed class PowerTrace
{
    private readonly long _bucketTicks;
    private readonly Duration _maxGap;
    private readonly long[] _index;
    private readonly double[] _kwSeconds;
    private readonly double[] _seconds;
    private Instant? _lastAt;
    private double _lastKw;

    public PowerTrace(Duration bucket, Duration retention, Duration maxGap)
    {
        if (bucket <= Duration.Zero || retention < bucket) throw new ArgumentOutOfRangeException(nameof(bucket), "Need bucket > 0 and retention ≥ bucket.");
        _bucketTicks = bucket.BclCompatibleTicks;
        _maxGap = maxGap;
        var slots = (int)Math.Ceiling(retention.BclCompatibleTicks / (double)_bucketTicks) + 1;
        _index = Enumerable.Repeat(long.MinValue, slots).ToArray();
        _kwSeconds = new double[slots];
        _seconds = new double[slots];
    }

    /// <summary>A reading at <paramref name="at"/>. Older than the latest is ignored (the trace only moves forward).</summary>
    public void Add(Instant at, Power power)
    {
        if (!double.IsFinite(power.Kw)) return;
        if (_lastAt is { } last)
        {
            if (at < last) return;
            // A value holds until the next reading, but for no longer than the gap limit.
            Integrate(last, Instant.Min(at, last + _maxGap), _lastKw);
        }
        _lastAt = at;
        _lastKw = power.Kw;
    }

    /// <summary>
    /// The time-weighted mean over [from, to), counting the latest value as held until
    /// <paramref name="now"/> (within the gap limit); null when nothing in the window is known.
    /// </summary>
    public Power? Mean(Instant from, Instant to, Instant now)
    {
        if (to <= from) return null;
        double kwSeconds = 0, seconds = 0;
        for (var b = Bucket(from); b <= Bucket(to - Duration.Epsilon); b++)
        {
            var slot = Slot(b);
            if (_index[slot] != b || _seconds[slot] <= 0) continue;
            // A bucket cut by the window counts in proportion (the signal is taken as even within it).
            var start = Instant.FromUnixTimeTicks(b * _bucketTicks);
            var overlap = Overlap(start, start + Duration.FromTicks(_bucketTicks), from, to) / (_bucketTicks / (double)NodaConstants.TicksPerSecond);
            kwSeconds += _kwSeconds[slot] * overlap;
            seconds += _seconds[slot] * overlap;
        }
        if (_lastAt is { } last)
        {
            var heldUntil = Instant.Min(now, last + _maxGap);
            var held = Overlap(last, heldUntil, from, to);
            kwSeconds += _lastKw * held;
            seconds += held;
        }
        return seconds > 0 ? new Power(kwSeconds / seconds) : null;
    }

    private void Integrate(Instant from, Instant to, double kw)
    {
        for (var b = Bucket(from); b <= Bucket(to - Duration.Epsilon); b++)
        {
            var start = Instant.FromUnixTimeTicks(b * _bucketTicks);
            var secs = Overlap(start, start + Duration.FromTicks(_bucketTicks), from, to);
            if (secs <= 0) continue;
            var slot = Slot(b);
            if (_index[slot] != b)
            {
                _index[slot] = b;
                _kwSeconds[slot] = 0;
                _seconds[slot] = 0;
            }
            _kwSeconds[slot] += kw * secs;
            _seconds[slot] += secs;
        }
    }

    private static double Overlap(Instant a0, Instant a1, Instant b0, Instant b1)
    {
        var start = Instant.Max(a0, b0);
        var end = Instant.Min(a1, b1);
        return end > start ? (end - start).TotalSeconds : 0;
    }

    private long Bucket(Instant t) => (long)Math.Floor(t.ToUnixTimeTicks() / (double)_bucketTicks);
    private int Slot(long bucket) => (int)(((bucket % _index.Length) + _index.Length) % _index.Length);
}
