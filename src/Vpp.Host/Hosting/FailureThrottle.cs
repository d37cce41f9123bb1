using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodaTime;

namespace Vpp.Host.Hosting;

/// <summary>
/// Counts refused requests per source address (an IPv6 /64 counts as one: one subscriber's prefix)
/// within a window from its first refusal; past the limit the source is blocked until the window ends.
/// Memory is bounded: past <see cref="MaxTrackedSources"/>, windows that are over are dropped (a spray
/// of addresses cannot reset the ones still counting).
/// </summary>
public sealed class FailureThrottle(int limit, Duration window, IClock clock)
{
    private const int MaxTrackedSources = 10_000;
    private readonly ConcurrentDictionary<IPAddress, (Instant Since, int Failures)> _failures = new();

    public int Limit => limit;

    /// <summary>Whether <paramref name="address"/> has used up its refusals for now, and for how much longer.</summary>
    public bool IsBlocked(IPAddress? address, out Duration retryAfter)
    {
        var now = clock.GetCurrentInstant();
        retryAfter = Duration.Zero;
        if (!_failures.TryGetValue(Source(address), out var f) || now - f.Since >= window || f.Failures < limit) return false;
        retryAfter = f.Since + window - now;
        return true;
    }

    /// <summary>Records one refusal; returns the source's refusals in its window so far.</summary>
    public int Fail(IPAddress? address)
    {
        var now = clock.GetCurrentInstant();
        if (_failures.Count > MaxTrackedSources) Forget(now);
        return _failures.AddOrUpdate(Source(address), (now, 1), (_, f) => now - f.Since < window ? (f.Since, f.Failures + 1) : (now, 1)).Failures;
    }

    /// <summary>An IPv4 address, or the /64 an IPv6 address is in.</summary>
    public static IPAddress Source(IPAddress? address)
    {
        if (address is null) return IPAddress.None;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    private void Forget(Instant now)
    {
        foreach (var (source, f) in _failures)
            if (now - f.Since >= window) _failures.TryRemove(source, out _);
    }
}
