using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;

namespace Vpp.Host.Markets;

/// <summary>
/// The exchange API over HTTP (docs/markets.md, "Exchange API"). A 4xx answer is the exchange's
/// refusal (<see cref="ExchangeRefusedException"/> with its reason); anything else throws, and the
/// market day retries.
/// </summary>
public sealed class HttpMarketExchange(HttpClient http) : IMarketExchange
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string DayPath(string market, string participant, LocalDate day) =>
        $"markets/{Uri.EscapeDataString(market)}/participants/{Uri.EscapeDataString(participant)}/days/{LocalDatePattern.Iso.Format(day)}";

    public async Task SubmitAsync(string market, string participant, LocalDate deliveryDay, IReadOnlyList<BidCurve> bids, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync(DayPath(market, participant, deliveryDay) + "/bids", new BidsWire(bids), Json, ct);
        await EnsureAcceptedAsync(response, ct);
    }

    public async Task<IReadOnlyList<ProductAward>?> AwardsAsync(string market, string participant, LocalDate deliveryDay, CancellationToken ct)
    {
        using var response = await http.GetAsync(DayPath(market, participant, deliveryDay) + "/awards", ct);
        await EnsureAcceptedAsync(response, ct);
        var body = await response.Content.ReadFromJsonAsync<AwardsWire>(Json, ct) ?? throw new InvalidDataException("The exchange sent no awards body.");
        if (!body.Cleared) return null;
        return body.Awards.Select(a => new ProductAward(a.ProductIndex, new Interval(Parse(a.Start), Parse(a.End)), a.AwardedKw, a.ClearingPriceEurPerMwh)).ToList();
    }

    public async Task<IReadOnlyDictionary<Instant, double>> PricesAsync(string market, Interval window, CancellationToken ct)
    {
        var iso = InstantPattern.ExtendedIso;
        using var response = await http.GetAsync(
            $"markets/{Uri.EscapeDataString(market)}/prices?from={Uri.EscapeDataString(iso.Format(window.Start))}&to={Uri.EscapeDataString(iso.Format(window.End))}", ct);
        await EnsureAcceptedAsync(response, ct);
        var body = await response.Content.ReadFromJsonAsync<PricesWire>(Json, ct) ?? throw new InvalidDataException("The exchange sent no prices body.");
        return body.Prices.ToDictionary(p => Parse(p.Start), p => p.PriceEurPerMwh);
    }

    private static Instant Parse(string text) => InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            ExchangeErrorWire? error = null;
            try { error = await response.Content.ReadFromJsonAsync<ExchangeErrorWire>(Json, ct); }
            catch (JsonException) { }
            throw new ExchangeRefusedException(error?.Error ?? $"HTTP {(int)response.StatusCode}");
        }
        response.EnsureSuccessStatusCode();
    }
}
