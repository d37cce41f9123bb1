using NodaTime;
using Vpp.Host.Accounts;

namespace Vpp.Host.Hosting;

/// <summary>
/// Guards /api before anything else runs there: an endpoint filter ran after the body was bound, so an
/// unauthenticated malformed request got the parser's 400 before any 401. Refused keys are logged and,
/// past <see cref="FailuresPerWindow"/> from one source within a minute of its first, answered 429
/// until that minute is over. The right key always passes.
/// </summary>
public sealed class OperatorApiGate(OperatorApiKey key, IClock clock, ILogger<OperatorApiGate> log)
{
    public const int FailuresPerWindow = 30;
    private readonly FailureThrottle _throttle = new(FailuresPerWindow, Duration.FromMinutes(1), clock);

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        // The operator dashboard calls the API with its session cookie (SameSite=Strict) instead of the key.
        var presented = http.Request.Headers[OperatorApiKey.Header];
        if (key.Matches(presented) || http.User.IsOperator())
        {
            await next(http);
            return;
        }
        var address = http.Connection.RemoteIpAddress;
        var failures = _throttle.Fail(address);
        if (failures > FailuresPerWindow && _throttle.IsBlocked(address, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed API keys",
                detail: "Too many requests without a valid operator key from this address; try again later.").ExecuteAsync(http);
            return;
        }
        if (presented.Count > 0 && (failures == 1 || failures == FailuresPerWindow))
            log.LogWarning("Refused an operator API key from {Address} ({Failures} within a minute)", FailureThrottle.Source(address), failures);
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operator API key required",
            detail: $"Send the operator API key in the {OperatorApiKey.Header} header.").ExecuteAsync(http);
    }
}
