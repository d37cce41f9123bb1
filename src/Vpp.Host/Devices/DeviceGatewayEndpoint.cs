using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Host.Hosting;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Registrations;

namespace Vpp.Host.Devices;

public static class DeviceGatewayEndpoint
{
    public const string Path = "/devices/v1/ws";

    public static IEndpointRouteBuilder MapDeviceGateway(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Handle).ExcludeFromDescription();
        return app;
    }

    private static async Task Handle(HttpContext http, IReadModels readModels, IGrainFactory grains, IClock clock,
        IOptions<VppHostOptions> options, GatewayMetrics metrics, DeviceGateway gateway, RefusedUpgrades refused, ILoggerFactory logs)
    {
        // An address that keeps failing is not looked up at all until its minute is over: the token store is shared by every device.
        var address = http.Connection.RemoteIpAddress;
        if (refused.Throttle.IsBlocked(address, out var retryAfter))
        {
            metrics.RejectedUpgrade();
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many refused upgrades",
                detail: "Too many upgrades without a valid device token from this address; try again later.").ExecuteAsync(http);
            return;
        }
        // Authenticate before the upgrade: an unknown device never gets a socket.
        var token = BearerToken(http.Request.Headers.Authorization.ToString());
        var entry = token is null ? null : await readModels.FindDeviceByTokenHashAsync(DeviceTokens.Hash(token), http.RequestAborted);
        var device = entry?.ToRegistration();
        if (device is null)
        {
            refused.Throttle.Fail(address);
            metrics.RejectedUpgrade();
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Device token required",
                detail: token is null ? "Send 'Authorization: Bearer <device token>' on the upgrade request." : "The device token is unknown, rotated or revoked.")
                .ExecuteAsync(http);
            return;
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade required").ExecuteAsync(http);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var session = new DeviceSession(socket, device, grains, clock, options.Value, metrics, gateway, logs.CreateLogger<DeviceSession>());
        await session.RunAsync(http.RequestAborted);
    }

    private static string? BearerToken(string header)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[scheme.Length..].Trim();
        return token.Length is > 0 and <= 256 ? token : null;
    }
}

/// <summary>The host's count of refused device upgrades per source address (<see cref="VppHostOptions.MaxRefusedUpgradesPerMinute"/>).</summary>
public sealed class RefusedUpgrades(IOptions<VppHostOptions> options, IClock clock)
{
    public FailureThrottle Throttle { get; } = new(options.Value.MaxRefusedUpgradesPerMinute, Duration.FromMinutes(1), clock);
}
