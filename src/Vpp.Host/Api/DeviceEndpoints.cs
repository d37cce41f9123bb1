using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Sites;
using Vpp.Protocol;
using Vpp.Contracts.Registrations;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Registrations;

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
        devices.MapGet("/{deviceId}/commands", Commands).WithSummary("A battery's recent commands with their live status (from its twin)");
        devices.MapGet("/{deviceId}/command-history", CommandHistory)
            .WithSummary("Every command of a device and what became of it, newest first, paged (read model; may trail by a moment)");
        return api;
    }

    private static async Task<IResult> Register(string siteId, RegisterDeviceRequest body, IGrainFactory grains, IClock clock)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return SiteEndpoints.NotFound(siteId);
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
        switch (await site.AddDevice(device, DeviceTokens.Hash(token)))
        {
            case RegisterOutcome.SiteNotFound: return SiteEndpoints.NotFound(siteId);
            case RegisterOutcome.AlreadyExists:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Device exists", detail: $"A device '{id}' is already registered.");
        }
        return Results.Created($"/api/devices/{id}", new DeviceRegistered(DeviceView.From(device), token));
    }

    private static async Task<IResult> Get(string deviceId, IReadModels readModels, IGrainFactory grains)
    {
        var device = await readModels.GetDeviceAsync(deviceId);
        return device is null ? NotFound(deviceId) : Results.Ok(await DeviceGrains.Get(grains, device.Kind, deviceId).GetState());
    }

    private static async Task<IResult> Rotate(string deviceId, IReadModels readModels, IGrainFactory grains)
    {
        var device = await readModels.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        var token = DeviceTokens.Generate();
        await DeviceGrains.Get(grains, device.Kind, deviceId).SetToken(DeviceTokens.Hash(token));
        return Results.Ok(new TokenIssued(deviceId, token));
    }

    private static async Task<IResult> Revoke(string deviceId, IReadModels readModels, IGrainFactory grains)
    {
        var device = await readModels.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        await DeviceGrains.Get(grains, device.Kind, deviceId).SetToken(null);
        return Results.NoContent();
    }

    private static async Task<IResult> IssueSetpoint(string deviceId, SetpointRequestDto body, IReadModels readModels, IGrainFactory grains)
    {
        var device = await readModels.GetDeviceAsync(deviceId);
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

    private static async Task<IResult> Commands(string deviceId, IReadModels readModels, IGrainFactory grains)
    {
        var device = await readModels.GetDeviceAsync(deviceId);
        if (device is null) return NotFound(deviceId);
        if (device.Kind != DeviceKind.Battery) return NotABattery(deviceId);
        return Results.Ok(new CommandsView(deviceId, await grains.GetGrain<IBatteryGrain>(deviceId).GetCommands()));
    }

    private static async Task<IResult> CommandHistory(string deviceId, IReadModels readModels, int? skip, int? take)
    {
        var v = new Validation();
        var (s, t) = v.Paging(skip, take);
        if (!v.IsValid) return v.Problem();
        if (await readModels.GetDeviceAsync(deviceId) is null) return NotFound(deviceId);
        return Results.Ok(await readModels.CommandHistoryAsync(deviceId, s, t));
    }

    private static IResult NotFound(string deviceId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown device", detail: $"No device '{deviceId}' is registered.");

    private static IResult NotABattery(string deviceId) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a battery", detail: $"Device '{deviceId}' takes no setpoints.");
}
