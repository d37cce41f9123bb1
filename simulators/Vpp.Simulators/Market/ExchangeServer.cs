using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;

namespace Vpp.Simulators.Market;

/// <summary>
/// The simulated exchange over HTTP (docs/markets.md, "Exchange API"): participants put bids for a
/// delivery day until its gate closes; from gate closure the day is cleared against the price
/// series and awards can be fetched; clearing prices are published only for cleared days, so
/// nobody forecasts with prices from the future. Each market has its own calendar, price series and
/// minimum bid (day-ahead energy, reserve capacity).
/// </summary>
public sealed class ExchangeServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, SimulatedMarket> _markets;
    private readonly IClock _clock;
    private readonly ConcurrentDictionary<(string Market, string Participant, LocalDate Day), IReadOnlyList<BidCurve>> _bids = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Bid submissions accepted so far (a replacement counts again).</summary>
    public int Submissions => _submissions;
    private int _submissions;

    private ExchangeServer(WebApplication app, IReadOnlyDictionary<string, SimulatedMarket> markets, IClock clock)
    {
        (_app, _markets, _clock) = (app, markets, clock);
        var day = app.MapGroup("/markets/{market}/participants/{participant}/days/{day}");
        day.MapPut("/bids", SubmitAsync);
        day.MapGet("/awards", Awards);
        app.MapGet("/markets/{market}/prices", Prices);
    }

    /// <summary>Starts on 127.0.0.1 (port 0 = any free port).</summary>
    public static async Task<ExchangeServer> StartAsync(IReadOnlyDictionary<string, SimulatedMarket> markets, IClock clock, int port,
        CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var server = new ExchangeServer(builder.Build(), markets, clock);
        await server._app.StartAsync(ct);
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    public Task RunUntilStoppedAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);

    private static IResult Error(int status, string message) => Results.Json(new ExchangeErrorWire(message), Json, statusCode: status);

    private bool TryResolve(string market, string day, out SimulatedMarket simulated, out LocalDate date, out IResult? error)
    {
        (simulated, date, error) = (null!, default, null);
        if (!_markets.TryGetValue(market, out simulated!)) { error = Error(404, $"unknown market '{market}'"); return false; }
        var parsed = LocalDatePattern.Iso.Parse(day);
        if (!parsed.Success) { error = Error(400, $"'{day}' is not an ISO date (yyyy-MM-dd)"); return false; }
        date = parsed.Value;
        return true;
    }

    private async Task<IResult> SubmitAsync(string market, string participant, string day, HttpRequest request)
    {
        if (!TryResolve(market, day, out var simulated, out var date, out var error)) return error!;
        var (calendar, exchange) = (simulated.Calendar, simulated.Exchange);
        var gate = calendar.GateClosure(date);
        if (_clock.GetCurrentInstant() >= gate) return Error(409, $"the gate for {date:yyyy-MM-dd} closed at {InstantPattern.ExtendedIso.Format(gate)}");
        BidsWire? bids;
        try { bids = await request.ReadFromJsonAsync<BidsWire>(Json); }
        catch (JsonException e) { return Error(400, "malformed bids: " + e.Message); }
        if (bids?.Curves is null) return Error(400, "the body must be {\"curves\": [...]}");
        var products = calendar.Products(date).Count;
        var seen = new HashSet<int>();
        foreach (var curve in bids.Curves)
        {
            if (curve?.Steps is null) return Error(400, "every curve needs productIndex and steps");
            if (curve.ProductIndex < 0 || curve.ProductIndex >= products) return Error(400, $"product {curve.ProductIndex} does not exist on {date:yyyy-MM-dd} ({products} products)");
            if (!seen.Add(curve.ProductIndex)) return Error(400, $"product {curve.ProductIndex} has two curves");
            if (curve.Problem(exchange.MinBidKw) is { } problem) return Error(400, $"product {curve.ProductIndex}: {problem}");
        }
        _bids[(market, participant, date)] = bids.Curves;
        Interlocked.Increment(ref _submissions);
        return Results.NoContent();
    }

    private IResult Awards(string market, string participant, string day)
    {
        if (!TryResolve(market, day, out var simulated, out var date, out var error)) return error!;
        if (_clock.GetCurrentInstant() < simulated.Calendar.GateClosure(date)) return Results.Json(new AwardsWire(false, []), Json);
        var bids = _bids.GetValueOrDefault((market, participant, date)) ?? [];
        var awards = simulated.Exchange.Clear(simulated.Calendar, date, bids)
            .Select(a => new AwardWire(a.ProductIndex, Iso(a.Delivery.Start), Iso(a.Delivery.End), a.AwardedKw, a.ClearingPriceEurPerMwh))
            .ToList();
        return Results.Json(new AwardsWire(true, awards), Json);
    }

    private IResult Prices(string market, string from, string to)
    {
        if (!_markets.TryGetValue(market, out var simulated)) return Error(404, $"unknown market '{market}'");
        var calendar = simulated.Calendar;
        var (f, t) = (InstantPattern.ExtendedIso.Parse(from), InstantPattern.ExtendedIso.Parse(to));
        if (!f.Success || !t.Success || t.Value < f.Value) return Error(400, "from and to must be ISO instants, from ≤ to");
        var now = _clock.GetCurrentInstant();
        var published = simulated.Exchange.Prices
            .Where(p => p.Key >= f.Value && p.Key < t.Value && calendar.GateClosure(p.Key.InZone(calendar.Zone).Date) <= now)
            .OrderBy(p => p.Key)
            .Select(p => new PriceWire(Iso(p.Key), p.Value))
            .ToList();
        return Results.Json(new PricesWire(published), Json);
    }

    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One market of the simulated exchange: its calendar, and its price series and minimum bid.</summary>
public sealed record SimulatedMarket(MarketCalendar Calendar, SimulatedExchange Exchange);
