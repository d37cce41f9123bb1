using NodaTime.Text;
using Vpp.Contracts.Markets;
using Vpp.Host.Markets;

namespace Vpp.Host.Api;

public static class MarketEndpoints
{
    public static RouteGroupBuilder MapMarketEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/markets/day-ahead/{region}/{day}", Day).WithTags("Markets")
            .WithSummary("One region's day-ahead market day: plan, bids, awards, dispatch and settlement per product (day = delivery day, yyyy-MM-dd)");
        return api;
    }

    private static async Task<IResult> Day(string region, string day, IGrainFactory grains, MarketsHostOptions markets)
    {
        var v = new Validation();
        var id = v.Id("region", region);
        var date = LocalDatePattern.Iso.Parse(day);
        if (!date.Success) v.Add("day", "Required: the delivery day as yyyy-MM-dd.");
        if (!v.IsValid) return v.Problem();
        if (!markets.Enabled)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Markets are not configured",
                detail: "Set Vpp:Markets:ExchangeUrl and Vpp:Markets:Regions to trade (docs/markets.md).");
        if (!markets.Regions.Contains(id, StringComparer.Ordinal))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Region not traded", detail: $"'{id}' is not in Vpp:Markets:Regions.");
        return Results.Ok(await grains.GetGrain<IMarketDayGrain>(MarketScheduler.Key(id, date.Value)).GetView());
    }
}
