using Microsoft.Extensions.Options;
using Vpp.Grains.Hosting;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Protocol.GridSignals;

namespace Vpp.Host.Api;

public sealed record CancelDispatchDto(string? Reason);

public sealed record FrequencyResponseDto(double? CommittedKw, string? Mode, Instant? Until);

public sealed record DispatchRequestDto(string? RequestId, string? Region, Instant? StartsAt, Instant? EndsAt, double? PowerKw, int? Priority);

public static class DispatchEndpoints
{
    public static RouteGroupBuilder MapDispatchEndpoints(this RouteGroupBuilder api)
    {
        var dispatches = api.MapGroup("/dispatches").WithTags("Dispatch");
        dispatches.MapPost("/", Request)
            .WithSummary("Submit a utility dispatch request (as on vpp.grid-signals.v1); idempotent by requestId and content");
        dispatches.MapGet("/{requestId}", Get).WithSummary("A dispatch request, its decision, site shares and delivery per interval");
        dispatches.MapPost("/{requestId}/cancel", Cancel).WithSummary("Cancel before the start, or end early while running");
        api.MapGet("/regions/{region}/flexibility", Flexibility).WithTags("Dispatch")
            .WithSummary("A region's flexibility now (kW up/down from sites that allow dispatch) and what accepted requests hold");
        api.MapPut("/regions/{region}/frequency-response", CommitFrequencyResponse).WithTags("Dispatch")
            .WithSummary("Commit frequency response in a region (kW, local droop or central, until); 0 kW ends it; event-sourced");
        api.MapGet("/regions/{region}/frequency-response", GetFrequencyResponse).WithTags("Dispatch")
            .WithSummary("A region's frequency-response commitment and the central response running now");
        return api;
    }

    private static async Task<IResult> CommitFrequencyResponse(string region, FrequencyResponseDto body, IGrainFactory grains, IClock clock)
    {
        var v = new Validation();
        var id = v.Id("region", region);
        var kw = v.Number("committedKw", body.CommittedKw, 0, 1_000_000);
        FrequencyResponseMode mode = FrequencyResponseMode.Local;
        if (body.Mode is null || !Enum.TryParse(body.Mode, ignoreCase: true, out mode) || !Enum.IsDefined(mode) || char.IsDigit(body.Mode[0])) v.Add("mode", "Required: \"local\" or \"central\".");
        var now = clock.GetCurrentInstant();
        if (kw > 0 && (body.Until is not { } until || until <= now || until > now + Duration.FromDays(7)))
            v.Add("until", "Required: an instant in the future, at most 7 days ahead.");
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await grains.GetGrain<IGridRegionGrain>(id).CommitFrequencyResponse(kw, mode, body.Until ?? now, "operator"));
    }

    private static async Task<IResult> GetFrequencyResponse(string region, IGrainFactory grains)
    {
        var v = new Validation();
        var id = v.Id("region", region);
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await grains.GetGrain<IGridRegionGrain>(id).GetFrequencyResponse());
    }

    private static async Task<IResult> Request(DispatchRequestDto body, IGrainFactory grains, IClock clock, IOptions<TwinOptions> twins)
    {
        var v = new Validation();
        var id = v.Id("requestId", body.RequestId);
        var region = v.Id("region", body.Region);
        var power = v.Number("powerKw", body.PowerKw, -1_000_000, 1_000_000);
        if (body.PowerKw == 0) v.Add("powerKw", "Must be non-zero: > 0 reduces net import / export, < 0 increases it.");
        var priority = (int)v.Number("priority", body.Priority ?? 5, 0, 9);
        var now = clock.GetCurrentInstant();
        if (body.StartsAt is not { } starts) v.Add("startsAt", "Required: an ISO-8601 UTC instant.");
        if (body.EndsAt is not { } ends) v.Add("endsAt", "Required: an ISO-8601 UTC instant.");
        else if (body.StartsAt is { } s && (ends <= s || ends - s > GridSignalParser.MaxDispatchLength))
            v.Add("endsAt", "Must be after startsAt, at most 24 hours later.");
        else if (ends <= now) v.Add("endsAt", "Is in the past.");
        if (body.StartsAt is { } at && at > now + twins.Value.Grid.MaxDispatchLead)
            v.Add("startsAt", $"Must be at most {twins.Value.Grid.MaxDispatchLead.TotalDays:0.###} days ahead (Vpp:Grid:MaxDispatchLeadDays).");
        if (!v.IsValid) return v.Problem();

        var request = new DispatchRequest(id, region, body.StartsAt!.Value, body.EndsAt!.Value, power, priority);
        return await grains.GetGrain<IDispatchGrain>(id).Request(request, "api:" + Guid.CreateVersion7().ToString("N")) switch
        {
            DispatchRequestOutcome.Recorded => Results.Created($"/api/dispatches/{id}", request),
            DispatchRequestOutcome.Duplicate => Results.Ok(request),
            _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request id in use",
                detail: $"requestId '{id}' is already used by a different request."),
        };
    }

    private static async Task<IResult> Get(string requestId, IGrainFactory grains) =>
        await grains.GetGrain<IDispatchGrain>(requestId).GetView() is { } view ? Results.Ok(view) : Unknown(requestId);

    private static async Task<IResult> Cancel(string requestId, CancelDispatchDto? body, IGrainFactory grains)
    {
        var dispatch = grains.GetGrain<IDispatchGrain>(requestId);
        if (await dispatch.Get() is null) return Unknown(requestId);
        var v = new Validation();
        var reason = body?.Reason is null ? "cancelled by the operator" : v.Text("reason", body.Reason, 500);
        if (!v.IsValid) return v.Problem();
        return await dispatch.Cancel(reason)
            ? Results.Ok(await dispatch.GetView())
            : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to cancel",
                detail: $"Dispatch '{requestId}' has already been rejected, completed or cancelled.");
    }

    private static async Task<IResult> Flexibility(string region, IGrainFactory grains)
    {
        var v = new Validation();
        var id = v.Id("region", region);
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await grains.GetGrain<IGridRegionGrain>(id).GetFlexibility());
    }

    private static IResult Unknown(string requestId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown dispatch", detail: $"No dispatch request '{requestId}'.");
}
