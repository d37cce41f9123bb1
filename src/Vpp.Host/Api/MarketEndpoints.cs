using NodaTime.Text;
using Vpp.Contracts.Markets;
using Vpp.Host.Markets;

namespace Vpp.Host.Api;

public static class MarketEndpoints
{
    public static RouteGroupBuilder MapMarketEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/markets/{market}/{region}/{day}", Day).WithTags("Markets")
            .WithSummary("One region's market day (market = day-ahead or reserve-capacity; day = delivery day, yyyy-MM-dd): plan, bids, awards, execution and settlement per product");
        return api;
    }

    private static async Task<IResult> Day(string market, string region, string day, IGrainFactory grains, MarketsHostOptions markets)
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
        var key = MarketScheduler.Key(id, date.Value);
        return market switch
        {
            "day-ahead" => Results.Ok(await grains.GetGrain<IMarketDayGrain>(key).GetView()),
            "reserve-capacity" when markets.Reserve.Enabled => Results.Ok(await grains.GetGrain<IReserveDayGrain>(key).GetView()),
            _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Market not traded",
                detail: $"'{market}' is not traded here: day-ahead, and reserve-capacity when Vpp:Markets:Reserve:Enabled."),
        };
    }
}
