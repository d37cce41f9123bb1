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
        IOptions<VppHostOptions> options, GatewayMetrics metrics, DeviceGateway gateway, ILoggerFactory logs)
    {
        // Authenticate before the upgrade: an unknown device never gets a socket.
        var token = BearerToken(http.Request.Headers.Authorization.ToString());
        var entry = token is null ? null : await readModels.FindDeviceByTokenHashAsync(DeviceTokens.Hash(token), http.RequestAborted);
        var device = entry?.ToRegistration();
        if (device is null)
        {
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
