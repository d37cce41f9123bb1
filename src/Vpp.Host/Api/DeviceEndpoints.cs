using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Sites;
using Vpp.Protocol;
using Vpp.Registry;

namespace Vpp.Host.Api;

public static class DeviceEndpoints
{
    public static RouteGroupBuilder MapDeviceEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/sites/{siteId}/devices", Register).WithTags("Devices")
            .WithSummary("Register a device at a site; returns its token once");
        var devices = api.MapGroup("/devices").WithTags("Devices");
        devices.MapGet("/{deviceId}", Get).WithSummary("A device's twin state");
        devices.MapPost("/{deviceId}/token", Rotate).WithSummary("Rotate the device token (the old one stops working at once)");
        devices.MapDelete("/{deviceId}/token", Revoke).WithSummary("Revoke the device token");
        devices.MapPost("/{deviceId}/setpoints", IssueSetpoint).WithSummary("Send a battery a setpoint (+ discharge, − charge)");
        devices.MapGet("/{deviceId}/commands", Commands).WithSummary("A battery's recent commands and their acks");
        return api;
    }

    private static async Task<IResult> Register(string siteId, RegisterDeviceRequest body, IRegistry registry, IGrainFactory grains, IClock clock)
    {
        if (await registry.GetSiteAsync(siteId) is null) return SiteEndpoints.NotFound(siteId);
        var v = new Validation();
        var id = v.Id("deviceId", body.DeviceId);
        BatteryRatings? battery = null;
        double? solarKw = null;
        switch (body.Kind)
        {
            case null:
                v.Add("kind", "Required: battery | solar | meter.");
                break;
            case DeviceKind.Battery when body.Battery is { } b:
                battery = new BatteryRatings(
                    v.Number("battery.capacityKwh", b.CapacityKwh, 0, 10_000, minExclusive: true),
                    v.Number("battery.maxChargeKw", b.MaxChargeKw, 0, 10_000, minExclusive: true),
                    v.Number("battery.maxDischargeKw", b.MaxDischargeKw, 0, 10_000, minExclusive: true),
                    v.Number("battery.roundTripEfficiency", b.RoundTripEfficiency, 0, 1, minExclusive: true));
                break;
            case DeviceKind.Battery:
                v.Add("battery", "Required for kind battery: capacityKwh, maxChargeKw, maxDischargeKw, roundTripEfficiency.");
                break;
            case DeviceKind.Solar when body.Solar is { } s:
                solarKw = v.Number("solar.ratedKw", s.RatedKw, 0, 10_000, minExclusive: true);
                break;
            case DeviceKind.Solar:
                v.Add("solar", "Required for kind solar: ratedKw.");
                break;
        }
        if (!v.IsValid) return v.Problem();

        var device = new DeviceRegistration(id, siteId, body.Kind!.Value, battery, solarKw, clock.GetCurrentInstant());
        var token = DeviceTokens.Generate();
        if (!await registry.TryAddDeviceAsync(device, DeviceTokens.Hash(token)))
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Device exists", detail: $"A device '{id}' is already registered.");
        await grains.GetGrain<ISiteGrain>(siteId).Refresh();
        return Results.Created($"/api/devices/{id}", new DeviceRegistered(DeviceView.From(device), token));
    }

    private static async Task<IResult> Get(string deviceId, IRegistry registry, IGrainFactory grains)
    {
        var device = await registry.GetDeviceAsync(deviceId);
        return device is null ? NotFound(deviceId) : Results.Ok(await DeviceGrains.Get(grains, device.Kind, deviceId).GetState());
    }

    private static async Task<IResult> Rotate(string deviceId, IRegistry registry, IGrainFactory grains)
    {
        var device = await registry.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        var token = DeviceTokens.Generate();
        await registry.SetTokenHashAsync(deviceId, DeviceTokens.Hash(token));
        await DeviceGrains.Get(grains, device.Kind, deviceId).RevokeConnection();
        return Results.Ok(new TokenIssued(deviceId, token));
    }

    private static async Task<IResult> Revoke(string deviceId, IRegistry registry, IGrainFactory grains)
    {
        var device = await registry.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        await registry.SetTokenHashAsync(deviceId, null);
        await DeviceGrains.Get(grains, device.Kind, deviceId).RevokeConnection();
        return Results.NoContent();
    }

    private static async Task<IResult> IssueSetpoint(string deviceId, SetpointRequestDto body, IRegistry registry, IGrainFactory grains)
    {
        var device = await registry.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        if (device.Kind != DeviceKind.Battery) return NotABattery(deviceId);
        var v = new Validation();
        var power = v.Number("powerKw", body.PowerKw, -10_000, 10_000);
        var seconds = (int)v.Number("validForSeconds", body.ValidForSeconds, 1, 86_400);
        var reason = v.Text("reason", body.Reason ?? "operator", 200);
        if (!v.IsValid) return v.Problem();
        try
        {
            var command = await grains.GetGrain<IBatteryGrain>(deviceId)
                .IssueSetpoint(new SetpointRequest(power, Duration.FromSeconds(seconds), reason));
            return Results.Created($"/api/devices/{deviceId}/commands", command);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Setpoint refused",
                detail: e.Message.Split(" (Parameter")[0]);
        }
    }

    private static async Task<IResult> Commands(string deviceId, IRegistry registry, IGrainFactory grains)
    {
        var device = await registry.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        if (device.Kind != DeviceKind.Battery) return NotABattery(deviceId);
        return Results.Ok(new CommandsView(deviceId, await grains.GetGrain<IBatteryGrain>(deviceId).GetCommands()));
    }

    private static IResult NotFound(string deviceId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown device", detail: $"No device '{deviceId}' is registered.");

    private static IResult NotABattery(string deviceId) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a battery", detail: $"Device '{deviceId}' takes no setpoints.");
}
