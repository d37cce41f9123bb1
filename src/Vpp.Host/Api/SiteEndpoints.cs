using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Domain.Telemetry;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Telemetry;

namespace Vpp.Host.Api;

public static class SiteEndpoints
{
    /// <summary>Most points one history request returns; ask for a coarser resolution or a shorter interval.</summary>
    public const int MaxHistoryPoints = 2000;

    public static RouteGroupBuilder MapSiteEndpoints(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapPost("/", Register).WithSummary("Register a site (home)");
        sites.MapGet("/", List).WithSummary("List registered sites, paged (site registry read model; may trail writes by a moment)");
        sites.MapGet("/{siteId}", Get).WithSummary("A site's registration, settings and devices");
        sites.MapGet("/{siteId}/state", State).WithSummary("A site's live state from its twin");
        sites.MapPut("/{siteId}/preferences", Preferences).WithSummary("Set backup reserve % and participation (event-sourced)");
        sites.MapPut("/{siteId}/override", SetOverride).WithSummary("Homeowner takes manual control until a time: no VPP setpoints meanwhile");
        sites.MapDelete("/{siteId}/override", ClearOverride).WithSummary("End the manual override");
        sites.MapPost("/{siteId}/dispatches/{requestId}/opt-out", OptOut)
            .WithSummary("Opt the site out of one dispatch event (event-sourced); a running share moves to other sites");
        sites.MapGet("/{siteId}/timeline", Timeline).WithSummary("Every decision about the site and its devices, newest first, paged");
        sites.MapGet("/{siteId}/history", History).WithSummary("Telemetry history (minute rollups) at 1m, 15m or 1h resolution");
        return api;
    }

    private static async Task<IResult> Register(RegisterSiteRequest body, IGrainFactory grains, IClock clock)
    {
        var v = new Validation();
        var id = v.Id("siteId", body.SiteId);
        var name = v.Text("name", body.Name, 200);
        var reserve = v.Number("backupReservePct", body.BackupReservePct, 0, 100);
        if (body.TimeZone is null || DateTimeZoneProviders.Tzdb.GetZoneOrNull(body.TimeZone) is null)
            v.Add("timeZone", "Required: an IANA time zone id such as Europe/Berlin.");
        double? lat = null, lon = null;
        if (body.Location is { } loc)
        {
            lat = v.Number("location.latitude", loc.Latitude, -90, 90);
            lon = v.Number("location.longitude", loc.Longitude, -180, 180);
        }
        var region = body.Region is null ? SiteRegistration.DefaultRegion : v.Id("region", body.Region);
        if (!v.IsValid) return v.Problem();

        var site = new SiteRegistration(id, name, body.TimeZone!, reserve, lat, lon, clock.GetCurrentInstant(), region);
        if (await grains.GetGrain<ISiteGrain>(id).Register(site) != RegisterOutcome.Registered)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Site exists", detail: $"A site '{id}' is already registered.");
        return Results.Created($"/api/sites/{id}", SiteView.From(site, new SiteSettings(reserve, true, null, null), []));
    }

    private static async Task<IResult> List(IReadModels readModels, int? skip, int? take)
    {
        var v = new Validation();
        var (s, t) = v.Paging(skip, take);
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await readModels.ListSitesAsync(s, t));
    }

    private static async Task<IResult> Get(string siteId, IGrainFactory grains) =>
        await grains.GetGrain<ISiteGrain>(siteId).GetDetails() is { } d
            ? Results.Ok(SiteView.From(d.Site, d.Settings, d.Devices))
            : NotFound(siteId);

    private static async Task<IResult> State(string siteId, IGrainFactory grains)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return NotFound(siteId);
        return Results.Ok(await site.GetState());
    }

    private static async Task<IResult> Preferences(string siteId, PreferencesRequest body, IGrainFactory grains)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return NotFound(siteId);
        var v = new Validation();
        var reserve = v.Number("backupReservePct", body.BackupReservePct, 0, 100);
        if (body.Participating is null) v.Add("participating", "Required: true or false.");
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await site.ChangePreferences(reserve, body.Participating!.Value, "operator"));
    }

    private static async Task<IResult> SetOverride(string siteId, ManualOverrideRequest body, IGrainFactory grains, IClock clock)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return NotFound(siteId);
        var v = new Validation();
        var now = clock.GetCurrentInstant();
        if (body.Until is not { } until || until <= now || until > now + Duration.FromDays(7))
            v.Add("until", "Required: an instant in the future, at most 7 days ahead.");
        var reason = v.Text("reason", body.Reason ?? "homeowner", 200);
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await site.SetManualOverride(body.Until!.Value, reason, "operator"));
    }

    private static async Task<IResult> OptOut(string siteId, string requestId, IGrainFactory grains)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return NotFound(siteId);
        var v = new Validation();
        var id = v.Id("requestId", requestId);
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await site.OptOut(id, "operator"));
    }

    private static async Task<IResult> ClearOverride(string siteId, IGrainFactory grains)
    {
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) return NotFound(siteId);
        return Results.Ok(await site.ClearManualOverride("operator"));
    }

    private static async Task<IResult> Timeline(string siteId, IGrainFactory grains, IReadModels readModels, int? skip, int? take)
    {
        var v = new Validation();
        var (s, t) = v.Paging(skip, take);
        if (!v.IsValid) return v.Problem();
        if (await grains.GetGrain<ISiteGrain>(siteId).GetSettings() is null) return NotFound(siteId);
        return Results.Ok(await readModels.SiteTimelineAsync(siteId, s, t));
    }

    private static async Task<IResult> History(string siteId, IGrainFactory grains, IRollupStore rollups,
        string? from, string? to, string? resolution)
    {
        var v = new Validation();
        var start = v.Instant("from", from);
        var end = v.Instant("to", to);
        HistoryResolution? res = (resolution ?? "1m") switch
        {
            "1m" => HistoryResolution.Minute,
            "15m" => HistoryResolution.QuarterHour,
            "1h" => HistoryResolution.Hour,
            _ => null,
        };
        if (res is null) v.Add("resolution", "One of 1m, 15m, 1h.");
        if (v.IsValid && end <= start) v.Add("to", "Must be after 'from'.");
        if (v.IsValid && (end - start) / SiteHistory.SizeOf(res!.Value) > MaxHistoryPoints)
            v.Add("to", $"At most {MaxHistoryPoints} points per request: shorten the interval or use a coarser resolution.");
        if (!v.IsValid) return v.Problem();
        if (await grains.GetGrain<ISiteGrain>(siteId).GetSettings() is null) return NotFound(siteId);

        return Results.Ok(await ReadHistoryAsync(rollups, siteId, new Interval(start, end), res!.Value, resolution ?? "1m"));
    }

    /// <summary>The site's history over <paramref name="interval"/>, its start floored to the resolution.</summary>
    public static async Task<SiteHistoryView> ReadHistoryAsync(IRollupStore rollups, string siteId, Interval interval,
        HistoryResolution resolution, string label)
    {
        var aligned = new Interval(TelemetryBuckets.Floor(interval.Start, SiteHistory.SizeOf(resolution)), interval.End);
        var minutes = await rollups.ReadSiteAsync(siteId, aligned);
        return new SiteHistoryView(siteId, aligned.Start, aligned.End, label, SiteHistory.Build(minutes, resolution));
    }

    internal static IResult NotFound(string siteId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown site", detail: $"No site '{siteId}' is registered.");
}
