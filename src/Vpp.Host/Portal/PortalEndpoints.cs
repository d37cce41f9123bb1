using System.Security.Claims;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Domain.Telemetry;
using Vpp.Host.Accounts;
using Vpp.Host.Api;
using Vpp.Host.Hosting;
using Vpp.Messaging.Hosting;
using Vpp.Persistence.Telemetry;

namespace Vpp.Host.Portal;

/// <summary>
/// What the dashboards call (/portal/api), with the session cookie. Every site route checks that
/// the signed-in user may see that site (403 and a log line otherwise); operators see every site.
/// </summary>
public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder app)
    {
        var portal = app.MapGroup("/portal/api").RequireAuthorization().WithTags("Dashboards");
        portal.MapGet("/operations", Operations).AddEndpointFilter(OperatorOnly)
            .WithSummary("Operator dashboard: regions (frequency, flexibility, dispatches), Kafka, market");

        var site = portal.MapGroup("/sites/{siteId}").AddEndpointFilter(SiteAccess);
        site.MapGet("/", Site).WithSummary("The home, its settings and the reserve range the homeowner may choose");
        site.MapGet("/history", History).WithSummary("Power per flow and SoC: range=24h (15-minute points) or 7d (hourly points)");
        site.MapGet("/energy/today", Today).WithSummary("Today's energy in kWh, in the site's time zone");
        site.MapGet("/events", Events).WithSummary("Dispatch events running or coming in the home's region");
        site.MapPost("/events/{requestId}/opt-out", OptOut).WithSummary("Opt the home out of one event (event-sourced)");
        site.MapPut("/preferences", Preferences).WithSummary("Backup reserve (within the operator's range) and participation (event-sourced)");
        site.MapGet("/earnings", Earnings).WithSummary("Earnings from market settlement");
        return app;
    }

    private static async ValueTask<object?> SiteAccess(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var siteId = (string)http.Request.RouteValues["siteId"]!;
        if (!http.User.CanAccessSite(siteId))
        {
            http.RequestServices.GetRequiredService<RefusalLog>().Warn("site-access", "Refused {User} access to site '{SiteId}' ({Method} {Path})",
                RefusalLog.Safe(http.User.Identity?.Name), RefusalLog.Safe(siteId), http.Request.Method, RefusalLog.Safe(http.Request.Path));
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your site",
                detail: "This account may not see or change this site.");
        }
        if (await http.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<ISiteGrain>(siteId).GetDetails() is not { } details)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown site", detail: $"No site '{siteId}' is registered.");
        http.Items[DetailsKey] = details; // the handlers need them too: one grain call per request
        return await next(context);
    }

    private const string DetailsKey = "vpp.site-details";

    /// <summary>The site the request is about, as <see cref="SiteAccess"/> found it.</summary>
    private static SiteDetails Details(HttpContext http) => (SiteDetails)http.Items[DetailsKey]!;

    private static async ValueTask<object?> OperatorOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.IsOperator() ? await next(context)
            : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Operators only");

    private static IResult Site(HttpContext http, IOptions<VppHostOptions> options)
    {
        var d = Details(http);
        var p = options.Value.Portal;
        return Results.Ok(new PortalSiteView(d.Site.SiteId, d.Site.Name, d.Site.TimeZoneId, d.Site.Region, d.Settings.BackupReservePct,
            d.Settings.Participating, d.Settings.ManualOverrideUntil, p.MinBackupReservePct, p.MaxBackupReservePct,
            d.Devices.Select(DeviceView.From).ToList()));
    }

    private static async Task<IResult> History(string siteId, string? range, IRollupStore rollups, IClock clock)
    {
        var (span, resolution, label) = range switch
        {
            null or "24h" => (Duration.FromHours(24), HistoryResolution.QuarterHour, "15m"),
            "7d" => (Duration.FromDays(7), HistoryResolution.Hour, "1h"),
            _ => (Duration.Zero, HistoryResolution.Minute, ""),
        };
        if (span == Duration.Zero)
        {
            var v = new Validation();
            v.Add("range", "One of 24h, 7d.");
            return v.Problem();
        }
        var now = clock.GetCurrentInstant();
        return Results.Ok(await SiteEndpoints.ReadHistoryAsync(rollups, siteId, new Interval(now - span, now), resolution, label));
    }

    private static async Task<IResult> Today(string siteId, HttpContext http, IRollupStore rollups, IClock clock)
    {
        var site = Details(http).Site;
        var zone = DateTimeZoneProviders.Tzdb[site.TimeZoneId];
        var now = clock.GetCurrentInstant();
        var date = now.InZone(zone).Date;
        var today = new Interval(date.AtStartOfDayInZone(zone).ToInstant(), now);
        var minutes = await rollups.ReadSiteAsync(siteId, today);
        return Results.Ok(TodayEnergyView.Of(siteId, date, today, EnergyAccounting.Of(SiteHistory.Build(minutes, HistoryResolution.Minute))));
    }

    private static async Task<PortalEventsView> ReadEvents(SiteDetails d, IGrainFactory grains, IClock clock)
    {
        var siteId = d.Site.SiteId;
        var optedOut = (await grains.GetGrain<ISiteGrain>(siteId).GetOptedOut()).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetCurrentInstant();
        var dispatches = await grains.GetGrain<IGridRegionGrain>(d.Site.Region).GetDispatches();
        return new PortalEventsView(siteId, d.Settings.Participating, dispatches.Select(x => new PortalEventView(x.RequestId, "dispatch",
            x.AcceptedKw >= 0 ? "discharge" : "charge", x.StartsAt, x.EndsAt, x.StartsAt <= now ? "active" : "upcoming",
            optedOut.Contains(x.RequestId))).ToList());
    }

    private static async Task<IResult> Events(HttpContext http, IGrainFactory grains, IClock clock) =>
        Results.Ok(await ReadEvents(Details(http), grains, clock));

    private static async Task<IResult> OptOut(string siteId, string requestId, HttpContext http, IGrainFactory grains, IClock clock, ClaimsPrincipal user)
    {
        var events = await ReadEvents(Details(http), grains, clock);
        if (events.Events.All(e => e.RequestId != requestId))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such event",
                detail: $"No running or coming event '{requestId}' affects this home.");
        await grains.GetGrain<ISiteGrain>(siteId).OptOut(requestId, user.Actor());
        return Results.Ok(await ReadEvents(Details(http), grains, clock));
    }

    private static async Task<IResult> Preferences(string siteId, PreferencesRequest body, IGrainFactory grains,
        IOptions<VppHostOptions> options, ClaimsPrincipal user)
    {
        var p = options.Value.Portal;
        var v = new Validation();
        var reserve = v.Number("backupReservePct", body.BackupReservePct, p.MinBackupReservePct, p.MaxBackupReservePct);
        if (body.Participating is null) v.Add("participating", "Required: true or false.");
        if (!v.IsValid) return v.Problem();
        return Results.Ok(await grains.GetGrain<ISiteGrain>(siteId).ChangePreferences(reserve, body.Participating!.Value, user.Actor()));
    }

    private static async Task<IResult> Earnings(string siteId, IGrainFactory grains)
    {
        var e = await grains.GetGrain<ISiteGrain>(siteId).GetEarnings();
        return Results.Ok(new EarningsView(siteId, "EUR", e.Settlements == 0 ? null : e.TotalEur, e.DeliveredKwh, e.Settlements,
            e.Latest.Take(50).Select(l => new EarningLineView(l.Market, l.DeliveryStart, l.DeliveryEnd, l.DeliveredKwh, l.Eur)).ToList(),
            e.Settlements == 0 ? "No settlements yet: no market delivery by this home has been settled." : null));
    }

    private static async Task<IResult> Operations(IGrainFactory grains, IClock clock, KafkaEndpoint kafka, KafkaMetrics k,
        Vpp.Host.Markets.MarketsHostOptions markets, IOptions<Vpp.Grains.Hosting.MarketOptions> market)
    {
        var regions = new List<RegionOperationsView>();
        foreach (var region in await grains.GetGrain<IRegionDirectoryGrain>(0).List())
        {
            var grain = grains.GetGrain<IGridRegionGrain>(region);
            var dispatches = new List<DispatchOperationsView>();
            foreach (var d in await grain.GetDispatches())
            {
                if (await grains.GetGrain<IDispatchGrain>(d.RequestId).GetView() is not { } view) continue;
                dispatches.Add(new DispatchOperationsView(d.RequestId, view.Status, d.StartsAt, d.EndsAt, view.Request.PowerKw, view.AcceptedKw,
                    view.Intervals.Count > 0 ? view.Intervals[^1].DeliveredKw : null, view.DeliveredKwh));
            }
            regions.Add(new RegionOperationsView(region, await grain.GetFrequency(), await grain.GetFlexibility(), dispatches));
        }
        return Results.Ok(new OperationsView(clock.GetCurrentInstant(), regions,
            KafkaDiagnostics.Of(kafka, k), await MarketDays(grains, clock, markets, market.Value)));
    }

    private static async Task<MarketOperationsView> MarketDays(IGrainFactory grains, IClock clock, Vpp.Host.Markets.MarketsHostOptions markets,
        Vpp.Grains.Hosting.MarketOptions market)
    {
        if (!markets.Enabled) return new MarketOperationsView([], "Market bidding is not configured (Vpp:Markets:ExchangeUrl).");
        var now = clock.GetCurrentInstant();
        var summaries = new List<MarketDaySummaryView>();
        foreach (var region in markets.Regions)
        {
            if (market.Reserve.Enabled)
                foreach (var day in TodayAndNextOpen(market.Reserve.Calendar, now))
                    summaries.Add(Summary(await grains.GetGrain<Vpp.Contracts.Markets.IReserveDayGrain>(Vpp.Host.Markets.MarketScheduler.Key(region, day)).GetView()));
            foreach (var day in TodayAndNextOpen(market.Calendar, now))
                summaries.Add(Summary(await grains.GetGrain<Vpp.Contracts.Markets.IMarketDayGrain>(Vpp.Host.Markets.MarketScheduler.Key(region, day)).GetView()));
        }
        return new MarketOperationsView(summaries, null);
    }

    private static IEnumerable<LocalDate> TodayAndNextOpen(Vpp.Domain.Markets.MarketCalendar calendar, Instant now) =>
        new[] { now.InZone(calendar.Zone).Date, calendar.NextOpenDay(now) }.Distinct();

    private static MarketDaySummaryView Summary(Vpp.Contracts.Markets.MarketDayView v)
    {
        var awarded = v.Products.Where(p => p.AwardedKw is { } kw && Math.Abs(kw) > 1e-9).ToList();
        return new MarketDaySummaryView(v.Market, v.Region, v.Day, v.Status, v.Reason, v.BidProducts, awarded.Count,
            awarded.Sum(p => p.AwardedKw!.Value * (p.End - p.Start).TotalHours), v.DeliveredKwh, v.MarketEur + v.ImbalanceEur);
    }
}
