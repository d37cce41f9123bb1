using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodaTime;
using Vpp.Host.Accounts;

namespace Vpp.Host.Hosting;

/// <summary>
/// Guards /api before anything else runs there: an endpoint filter ran after the body was bound, so an
/// unauthenticated malformed request got the parser's 400 before any 401. Failed keys are logged and,
/// past <see cref="FailuresPerWindow"/> from one address (an IPv6 /64 counts as one) within a minute of
/// its first failure, answered 429 until that minute is over.
/// </summary>
public sealed class OperatorApiGate(OperatorApiKey key, IClock clock, ILogger<OperatorApiGate> log)
{
    public const int FailuresPerWindow = 30;
    public static readonly Duration Window = Duration.FromMinutes(1);
    private const int MaxTrackedAddresses = 10_000;
    private readonly ConcurrentDictionary<IPAddress, (Instant Since, int Failures)> _failures = new();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        // The operator dashboard calls the API with its session cookie (SameSite=Strict) instead of the key.
        var presented = http.Request.Headers[OperatorApiKey.Header];
        if (key.Matches(presented) || http.User.IsOperator())
        {
            await next(http);
            return;
        }
        var now = clock.GetCurrentInstant();
        var source = Source(http.Connection.RemoteIpAddress);
        if (_failures.Count > MaxTrackedAddresses) Forget(now);
        var (since, failures) = _failures.AddOrUpdate(source, (now, 1), (_, f) => now - f.Since < Window ? (f.Since, f.Failures + 1) : (now, 1));
        if (failures > FailuresPerWindow)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((since + Window - now).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed API keys",
                detail: "Too many requests without a valid operator key from this address; try again later.").ExecuteAsync(http);
            return;
        }
        if (presented.Count > 0 && (failures == 1 || failures == FailuresPerWindow))
            log.LogWarning("Refused an operator API key from {Address} ({Failures} within a minute)", source, failures);
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operator API key required",
            detail: $"Send the operator API key in the {OperatorApiKey.Header} header.").ExecuteAsync(http);
    }

    /// <summary>An IPv4 address, or the /64 an IPv6 address is in (one subscriber's whole prefix).</summary>
    private static IPAddress Source(IPAddress? address)
    {
        if (address is null) return IPAddress.None;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    /// <summary>Drops windows that are over; a spray of addresses cannot reset the ones still counting.</summary>
    private void Forget(Instant now)
    {
        foreach (var (address, f) in _failures)
            if (now - f.Since >= Window) _failures.TryRemove(address, out _);
    }
}
