using System.Globalization;
using System.Text;
using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Markets;
using Vpp.Domain.Units;
using Vpp.Scheduling;
using Vpp.Simulators.Fleet;

namespace Vpp.Simulators.Market;

/// <summary>
/// Day-ahead backtest of the market core on simulated home batteries, without the host: each
/// delivery day, forecast prices (the same product the day before: naive persistence), build bid
/// curves with the optimiser, clear them on the simulated exchange at the actual prices, deliver the
/// awards with each home's battery physics (shares by power, never below the home's reserve), and
/// settle. Battery-only arbitrage: the homes' own PV and load are not modelled here.
/// Imbalance price: the product's price + 50 EUR/MWh when short, − 50 when long.
/// </summary>
public static class Backtest
{
    public sealed record Options(IReadOnlyDictionary<Instant, double> Prices, int Homes, int Seed, string OutDir, double MinBidKw = 100, double DegradationEurPerKwh = 0.02);

    public sealed record Row(Instant Start, double ForecastEurPerMwh, double PriceEurPerMwh, double AwardedKw, double DeliveredKw, double FleetSocPct,
        double MarketEur, double ImbalanceEur);

    public sealed record Result(IReadOnlyList<Row> Rows, double MarketEur, double ImbalanceEur, double AwardedKwh, double DeliveredKwh, int Violations, int Days);

    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private const double ImbalancePenalty = 50;

    public static Result Run(Options o)
    {
        var market = MarketCalendar.DayAhead(Berlin);
        var exchange = new SimulatedExchange(o.Prices, o.MinBidKw);
        var rng = new Random(o.Seed);
        var homes = Enumerable.Range(0, o.Homes).Select(i => HomeSpec.Random($"bt-{i:D5}", "Europe/Berlin", rng)).ToList();
        var soc = homes.Select(h => new Percent(h.InitialSocPct)).ToArray();
        var days = o.Prices.Keys.Select(k => k.InZone(Berlin).Date).Distinct().Order().ToList();
        var rows = new List<Row>();
        var violations = 0;

        // The first day only serves as the forecast for the second.
        foreach (var day in days.Skip(1))
        {
            var products = market.Products(day);
            var yesterday = market.Products(day.PlusDays(-1));
            if (products.Any(p => !o.Prices.ContainsKey(p.Delivery.Start))) break;
            var forecast = products.Select(p => o.Prices.TryGetValue(yesterday[Math.Min(p.Index, yesterday.Count - 1)].Delivery.Start, out var f) ? f : o.Prices[p.Delivery.Start]).ToArray();

            var fleet = FleetModel.Sum(homes.Select((h, i) => new FleetModel(h.Battery.Capacity.Kwh, h.Battery.StoredAt(soc[i]).Kwh,
                h.Battery.StoredAt(new Percent(h.BackupReservePct)).Kwh, h.Battery.MaxCharge.Kw, h.Battery.MaxDischarge.Kw, h.Battery.RoundTripEfficiency)).ToList());
            var problem = new ScheduleProblem(fleet, forecast.Select(p => new ScheduleInterval(p)).ToList(), Duration.FromMinutes(15), o.DegradationEurPerKwh);
            var awards = exchange.Clear(market, day, BidBuilder.Curves(problem, o.MinBidKw));

            foreach (var award in awards)
            {
                var delivered = Deliver(homes, soc, award.AwardedKw, award.Delivery.Duration, ref violations);
                var price = award.ClearingPriceEurPerMwh;
                var settled = Settlement.SettleWithPenalty(award, delivered * award.Delivery.Duration.TotalHours, ImbalancePenalty);
                var fleetSoc = homes.Select((h, i) => h.Battery.StoredAt(soc[i]).Kwh).Sum() / fleet.CapacityKwh * 100;
                rows.Add(new Row(award.Delivery.Start, forecast[award.ProductIndex], price, award.AwardedKw, delivered, fleetSoc, settled.MarketEur, settled.ImbalanceEur));
            }
        }
        var result = new Result(rows, rows.Sum(r => r.MarketEur), rows.Sum(r => r.ImbalanceEur), rows.Sum(r => r.AwardedKw / 4), rows.Sum(r => r.DeliveredKw / 4),
            violations, rows.Select(r => r.Start.InZone(Berlin).Date).Distinct().Count());
        Directory.CreateDirectory(o.OutDir);
        File.WriteAllText(Path.Combine(o.OutDir, "backtest.csv"), Csv(rows));
        File.WriteAllText(Path.Combine(o.OutDir, "backtest.html"), Html(result));
        return result;
    }

    /// <summary>
    /// Shares the fleet's target as the aggregator shares a dispatch: by what each home can sustain
    /// over the step (its power, capped by its energy above the reserve or its room below full);
    /// what a home cannot do goes to the others, a few rounds.
    /// </summary>
    private static double Deliver(IReadOnlyList<HomeSpec> homes, Percent[] soc, double targetKw, Duration dt, ref int violations)
    {
        if (Math.Abs(targetKw) < 1e-9) return 0;
        var hours = dt.TotalHours;
        var capability = homes.Select((h, i) =>
        {
            var stored = h.Battery.StoredAt(soc[i]).Kwh;
            return targetKw > 0
                ? Math.Min(h.Battery.MaxDischarge.Kw, Math.Max(0, stored - h.Battery.StoredAt(new Percent(h.BackupReservePct)).Kwh) * h.Battery.DischargeEfficiency / hours)
                : Math.Min(h.Battery.MaxCharge.Kw, Math.Max(0, h.Battery.Capacity.Kwh - stored) / h.Battery.ChargeEfficiency / hours);
        }).ToArray();
        var planned = new double[homes.Count];
        var remaining = targetKw;
        for (var pass = 0; pass < 5 && Math.Abs(remaining) > 1e-6; pass++)
        {
            var free = Enumerable.Range(0, homes.Count).Where(i => Math.Abs(planned[i]) < capability[i] - 1e-9).ToList();
            var share = free.Sum(i => capability[i] - Math.Abs(planned[i]));
            if (share <= 1e-9) break;
            var before = remaining;
            foreach (var i in free)
            {
                var wanted = planned[i] + before * (capability[i] - Math.Abs(planned[i])) / share;
                var step = BatteryPhysics.Step(homes[i].Battery, soc[i], new Power(wanted), dt, new Percent(homes[i].BackupReservePct));
                remaining -= step.Power.Kw - planned[i];
                planned[i] = step.Power.Kw;
            }
        }
        var delivered = 0.0;
        for (var i = 0; i < homes.Count; i++)
        {
            var reserve = new Percent(homes[i].BackupReservePct);
            var step = BatteryPhysics.Step(homes[i].Battery, soc[i], new Power(planned[i]), dt, reserve);
            if (step.Soc.Value < reserve.Value - 1e-6 && step.Power.Kw > 0) violations++;
            if (step.Power.Kw > homes[i].Battery.MaxDischarge.Kw + 1e-9 || -step.Power.Kw > homes[i].Battery.MaxCharge.Kw + 1e-9) violations++;
            soc[i] = step.Soc;
            delivered += step.Power.Kw;
        }
        return delivered;
    }

    private static string Csv(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder("start,forecastEurPerMwh,priceEurPerMwh,awardedKw,deliveredKw,fleetSocPct,marketEur,imbalanceEur\n");
        foreach (var r in rows)
            sb.AppendLine(string.Join(',', r.Start.ToString("uuuu-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture),
                F(r.ForecastEurPerMwh), F(r.PriceEurPerMwh), F(r.AwardedKw), F(r.DeliveredKw), F(r.FleetSocPct), F(r.MarketEur), F(r.ImbalanceEur)));
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Three stacked line charts (prices, awarded vs delivered, fleet SoC) as inline SVG.</summary>
    private static string Html(Result r)
    {
        string Chart(string title, params (string Name, string Colour, Func<Row, double> Value)[] series)
        {
            const int w = 900, h = 180;
            var values = series.SelectMany(s => r.Rows.Select(s.Value)).DefaultIfEmpty(0).ToList();
            var (lo, hi) = (Math.Min(0, values.Min()), Math.Max(values.Max(), 1e-9));
            string X(int i) => F(40 + i * (w - 50.0) / Math.Max(1, r.Rows.Count - 1));
            string Y(double v) => F(10 + (1 - (v - lo) / (hi - lo)) * (h - 30));
            var sb = new StringBuilder($"<h2>{title}</h2><svg viewBox=\"0 0 {w} {h}\" width=\"100%\"><line x1=\"40\" x2=\"{w - 10}\" y1=\"{Y(0)}\" y2=\"{Y(0)}\" stroke=\"#ccc\"/>");
            sb.Append($"<text x=\"2\" y=\"14\" font-size=\"11\">{F(hi)}</text><text x=\"2\" y=\"{h - 20}\" font-size=\"11\">{F(lo)}</text>");
            foreach (var s in series)
                sb.Append($"<polyline fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', r.Rows.Select((row, i) => X(i) + "," + Y(s.Value(row))))}\"><title>{s.Name}</title></polyline>");
            sb.Append("</svg><p>").Append(string.Join(" · ", series.Select(s => $"<span style=\"color:{s.Colour}\">■</span> {s.Name}"))).Append("</p>");
            return sb.ToString();
        }
        return $"""
            <!doctype html><html lang="en"><meta charset="utf-8"><title>VPP backtest</title>
            <body style="font-family:system-ui,sans-serif;max-width:960px;margin:auto">
            <h1>Day-ahead backtest: {r.Days} day(s)</h1>
            <p>Market {F(r.MarketEur)} EUR, imbalance {F(r.ImbalanceEur)} EUR, net {F(r.MarketEur + r.ImbalanceEur)} EUR;
            awarded {F(r.AwardedKwh)} kWh, delivered {F(r.DeliveredKwh)} kWh (sold &gt; 0, bought &lt; 0); reserve or limit violations: {r.Violations}.</p>
            {Chart("Prices (EUR/MWh)", ("actual", "#2b6cb0", x => x.PriceEurPerMwh), ("forecast", "#a0aec0", x => x.ForecastEurPerMwh))}
            {Chart("Schedule (kW, + sell)", ("awarded", "#d69e2e", x => x.AwardedKw), ("delivered", "#2f855a", x => x.DeliveredKw))}
            {Chart("Fleet state of charge (%)", ("SoC", "#38a169", x => x.FleetSocPct))}
            </body></html>
            """;
    }
}

/// <summary>A synthetic day-ahead price series: a night valley, a morning and an evening peak, a midday solar dip, noise.</summary>
public static class SyntheticPrices
{
    public static IReadOnlyDictionary<Instant, double> Days(LocalDate first, int days, int seed)
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var market = MarketCalendar.DayAhead(zone);
        var rng = new Random(seed);
        var prices = new Dictionary<Instant, double>();
        for (var d = 0; d < days; d++)
            foreach (var p in market.Products(first.PlusDays(d)))
            {
                var hour = p.Delivery.Start.InZone(zone).TimeOfDay.TickOfDay / (double)NodaConstants.TicksPerHour;
                var shape = 70 + 45 * Math.Exp(-Math.Pow(hour - 8, 2) / 3) + 70 * Math.Exp(-Math.Pow(hour - 19, 2) / 4)
                    - 50 * Math.Exp(-Math.Pow(hour - 13, 2) / 6) - 30 * Math.Exp(-Math.Pow(hour - 3, 2) / 6);
                prices[p.Delivery.Start] = Math.Round(shape + rng.NextDouble() * 16 - 8, 2);
            }
        return prices;
    }

    public static string ToCsv(IReadOnlyDictionary<Instant, double> prices) =>
        "ts,priceEurPerMwh\n" + string.Join('\n', prices.OrderBy(p => p.Key).Select(p =>
            $"{NodaTime.Text.InstantPattern.ExtendedIso.Format(p.Key)},{p.Value.ToString(CultureInfo.InvariantCulture)}")) + "\n";
}
