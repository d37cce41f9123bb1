using NodaTime;
using Vpp.Contracts.Sites;
using Vpp.Registry;

namespace Vpp.Host.Api;

public static class SiteEndpoints
{
    public static RouteGroupBuilder MapSiteEndpoints(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapPost("/", Register).WithSummary("Register a site (home)");
        sites.MapGet("/", List).WithSummary("List registered sites, paged");
        sites.MapGet("/{siteId}", Get).WithSummary("A site's registration and devices");
        sites.MapGet("/{siteId}/state", State).WithSummary("A site's live state from its twin");
        return api;
    }

    private static async Task<IResult> Register(RegisterSiteRequest body, IRegistry registry, IClock clock)
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
        if (!v.IsValid) return v.Problem();

        var site = new SiteRegistration(id, name, body.TimeZone!, reserve, lat, lon, clock.GetCurrentInstant());
        if (!await registry.TryAddSiteAsync(site))
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Site exists", detail: $"A site '{id}' is already registered.");
        return Results.Created($"/api/sites/{id}", SiteView.From(site, []));
    }

    private static async Task<IResult> List(IRegistry registry, int? skip, int? take)
    {
        var v = new Validation();
        var s = (int)v.Number("skip", skip ?? 0, 0, int.MaxValue);
        var t = (int)v.Number("take", take ?? 100, 1, 1000);
        if (!v.IsValid) return v.Problem();
        var items = new List<SiteView>();
        foreach (var site in await registry.ListSitesAsync(s, t))
            items.Add(SiteView.From(site, await registry.GetDevicesOfSiteAsync(site.SiteId)));
        return Results.Ok(new Page<SiteView>(items, await registry.CountSitesAsync(), s, t));
    }

    private static async Task<IResult> Get(string siteId, IRegistry registry)
    {
        var site = await registry.GetSiteAsync(siteId);
        return site is null ? NotFound(siteId) : Results.Ok(SiteView.From(site, await registry.GetDevicesOfSiteAsync(siteId)));
    }

    private static async Task<IResult> State(string siteId, IRegistry registry, IGrainFactory grains)
    {
        if (await registry.GetSiteAsync(siteId) is null) return NotFound(siteId);
        return Results.Ok(await grains.GetGrain<ISiteGrain>(siteId).GetState());
    }

    internal static IResult NotFound(string siteId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown site", detail: $"No site '{siteId}' is registered.");
}
