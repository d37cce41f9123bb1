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
/// Backtest of the market core on simulated home batteries, without the host, on a simulated clock
/// that steps through the delivery days (<see cref="Options.Step"/>, 10 s). Each delivery day:
/// reserve capacity first (when capacity prices are given: the fleet's symmetric 15-minute
/// capacity at the day's start offered per 4-hour block at the floor price, cleared at the block's
/// price, held back from energy and committed as droop); then day-ahead energy (each product's
/// price forecast as the same product the day before, bid curves from the optimiser with the
/// reserve held back, cleared at the actual prices); then delivery, every step: each home runs its
/// share of the energy award plus its droop response to the frequency trace with its battery
/// physics (never below its reserve, never past its limits), and a droop response a home cannot
/// give is a reserve violation; then settlement (energy at the clearing price, imbalance at the
/// price ± 50 EUR/MWh, reserve capacity at its price for the capacity held).
/// Battery-only: the homes' own PV and load are not modelled here.
/// </summary>
public static class Backtest
{
    public sealed record Options(IReadOnlyDictionary<Instant, double> Prices, int Homes, int Seed, string OutDir, double MinBidKw = 100, double DegradationEurPerKwh = 0.02)
    {
        /// <summary>Capacity prices (EUR/MW/h) by 4-hour block start; null: no reserve market.</summary>
        public IReadOnlyDictionary<Instant, double>? ReservePrices { get; init; }
        public double ReserveMinBidKw { get; init; } = 1000;
        public double ReserveFloorEurPerMwH { get; init; } = 5;
        /// <summary>Offer each block at no less than what holding it back costs the energy plan (<c>ReservePlanner.OpportunityCostEurPerMwh</c>).</summary>
        public bool ReserveAtOpportunityCost { get; init; }
        /// <summary>
        /// Cap each product's bid by the homes' own schedules summed (the per-site plan), not the pooled
        /// plan's, which lends power between homes that one by one run empty or full.
        /// </summary>
        public bool PerHomeCaps { get; init; } = true;

        /// <summary>Grid frequency, one reading per second from the first delivery day's start (repeated when shorter); null: 50 Hz throughout.</summary>
        public IReadOnlyList<double>? FrequencyHz { get; init; }

        /// <summary>The simulated clock's step during delivery.</summary>
        public Duration Step { get; init; } = Duration.FromSeconds(10);
    }

    /// <summary>
    /// One product: forecast, price, award and delivery as the meters see it beyond droop (kW, + sold;
    /// SoC restoration included, <see cref="RestoreKw"/> of it); reserve held (kW both ways), the
    /// frequency seen, the mean droop given and any droop short.
    /// </summary>
    public sealed record Row(Instant Start, double ForecastEurPerMwh, double PriceEurPerMwh, double AwardedKw, double DeliveredKw, double FleetSocPct,
        double MarketEur, double ImbalanceEur, double ReserveKw, double MinHz, double MaxHz, double DroopKw, double DroopShortKwh, double RestoreKw);

    public sealed record Result(IReadOnlyList<Row> Rows, double MarketEur, double ImbalanceEur, double AwardedKwh, double DeliveredKwh, int Violations, int Days,
        double ReserveEur, double ReserveKwh, int ReserveViolations);

    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private const double ImbalancePenalty = 50;

    public static Result Run(Options o)
    {
        var market = MarketCalendar.DayAhead(Berlin);
        var reserveMarket = MarketCalendar.ReserveCapacity(Berlin);
        var exchange = new SimulatedExchange(o.Prices, o.MinBidKw);
        var reserveExchange = o.ReservePrices is null ? null : new SimulatedExchange(o.ReservePrices, o.ReserveMinBidKw);
        var rng = new Random(o.Seed);
        var fleet = new BacktestFleet(Enumerable.Range(0, o.Homes).Select(i => HomeSpec.Random($"bt-{i:D5}", "Europe/Berlin", rng)).ToList(), o.Step);
        var days = o.Prices.Keys.Select(k => k.InZone(Berlin).Date).Distinct().Order().ToList();
        var rows = new List<Row>();
        double reserveEur = 0, reserveKwh = 0;
        Instant? traceStart = null;

        // The first day only serves as the forecast for the second.
        foreach (var day in days.Skip(1))
        {
            var products = market.Products(day);
            var yesterday = market.Products(day.PlusDays(-1));
            if (products.Any(p => !o.Prices.ContainsKey(p.Delivery.Start))) break;
            traceStart ??= products[0].Delivery.Start;
            var forecast = products.Select(p => o.Prices.TryGetValue(yesterday[Math.Min(p.Index, yesterday.Count - 1)].Delivery.Start, out var f) ? f : o.Prices[p.Delivery.Start]).ToArray();
            var pooled = fleet.Pooled();

            // Reserve capacity first (its gate closes before the energy gate), then energy around it.
            var reserveAwards = new List<ProductAward>();
            if (reserveExchange is not null)
            {
                var offer = ReservePlanner.Offer(new PlannerFleet(pooled.CapacityKwh - pooled.FloorKwh, pooled.InitialKwh - pooled.FloorKwh, pooled.MaxChargeKw,
                    pooled.MaxDischargeKw, pooled.RoundTripEfficiency), reserveMarket.Products(day), o.ReserveMinBidKw, o.ReserveFloorEurPerMwH, fleet.SymmetricKw(),
                    o.ReserveAtOpportunityCost ? new EnergyForecast(products, forecast, o.DegradationEurPerKwh) : null);
                reserveAwards = reserveExchange.Clear(reserveMarket, day, offer.Curves).Where(a => a.AwardedKw > 0).ToList();
                reserveEur += reserveAwards.Sum(a => a.AwardedKw / 1000 * a.ClearingPriceEurPerMwh * a.Delivery.Duration.TotalHours);
                reserveKwh += reserveAwards.Sum(a => a.AwardedKw * a.Delivery.Duration.TotalHours);
            }
            var blocks = products.Select(p => reserveAwards.FirstOrDefault(a => a.Delivery.Contains(p.Delivery.Start))).ToArray();
            var reserveKw = blocks.Select(b => b?.AwardedKw ?? 0).ToArray();
            fleet.PlanDay(reserveKw.DefaultIfEmpty(0).Max());

            var problem = new ScheduleProblem(pooled, forecast.Select((p, i) => new ScheduleInterval(p, reserveKw[i])).ToList(), Duration.FromMinutes(15), o.DegradationEurPerKwh);
            IReadOnlyList<ProductAward> awards;
            try
            {
                // The homes one by one cap what is bid per product (the pooled plan lends power between homes).
                var caps = o.PerHomeCaps ? ScheduleOptimiser.PlanHomes(fleet.Homes(), problem).NetKw : null;
                awards = exchange.Clear(market, day, BidBuilder.Curves(problem, o.MinBidKw, caps));
            }
            catch (InvalidOperationException)
            {
                awards = []; // no feasible schedule from the day's start: no energy bids that day (the reserve is still delivered)
            }

            foreach (var product in products)
            {
                var award = awards.FirstOrDefault(a => a.ProductIndex == product.Index) ?? new ProductAward(product.Index, product.Delivery, 0, o.Prices[product.Delivery.Start]);
                var start = traceStart.Value;
                var d = fleet.Deliver(award.AwardedKw, reserveKw[product.Index], blocks[product.Index]?.Delivery, product.Delivery, t => Frequency(o.FrequencyHz, t - start));
                var settled = Settlement.SettleWithPenalty(award, d.EnergyKw * award.Delivery.Duration.TotalHours, ImbalancePenalty);
                rows.Add(new Row(product.Delivery.Start, forecast[product.Index], award.ClearingPriceEurPerMwh, award.AwardedKw, d.EnergyKw, fleet.SocPct(),
                    settled.MarketEur, settled.ImbalanceEur, reserveKw[product.Index], d.MinHz, d.MaxHz, d.DroopKw, d.DroopShortKwh, d.RestoreKw));
            }
        }
        var result = new Result(rows, rows.Sum(r => r.MarketEur), rows.Sum(r => r.ImbalanceEur), rows.Sum(r => r.AwardedKw / 4), rows.Sum(r => r.DeliveredKw / 4),
            fleet.LimitViolations + fleet.ReserveViolations, rows.Select(r => r.Start.InZone(Berlin).Date).Distinct().Count(), reserveEur, reserveKwh, fleet.ReserveViolations);
        Directory.CreateDirectory(o.OutDir);
        File.WriteAllText(Path.Combine(o.OutDir, "backtest.csv"), Csv(rows));
        File.WriteAllText(Path.Combine(o.OutDir, "backtest.html"), Html(result));
        return result;
    }

    private static double Frequency(IReadOnlyList<double>? trace, Duration sinceStart) =>
        trace is null || trace.Count == 0 ? 50 : trace[(int)((long)sinceStart.TotalSeconds % trace.Count)];

    private static string Csv(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder("start,forecastEurPerMwh,priceEurPerMwh,awardedKw,deliveredKw,fleetSocPct,marketEur,imbalanceEur,reserveKw,minHz,maxHz,droopKw,droopShortKwh,restoreKw\n");
        foreach (var r in rows)
            sb.AppendLine(string.Join(',', r.Start.ToString("uuuu-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture),
                F(r.ForecastEurPerMwh), F(r.PriceEurPerMwh), F(r.AwardedKw), F(r.DeliveredKw), F(r.FleetSocPct), F(r.MarketEur), F(r.ImbalanceEur),
                F(r.ReserveKw), F(r.MinHz), F(r.MaxHz), F(r.DroopKw), F(r.DroopShortKwh), F(r.RestoreKw)));
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
            <h1>Market backtest: {r.Days} day(s)</h1>
            <p>Energy market {F(r.MarketEur)} EUR, imbalance {F(r.ImbalanceEur)} EUR, reserve capacity {F(r.ReserveEur)} EUR ({F(r.ReserveKwh / 1000)} MWh of capacity held),
            net {F(r.MarketEur + r.ImbalanceEur + r.ReserveEur)} EUR;
            awarded {F(r.AwardedKwh)} kWh, delivered {F(r.DeliveredKwh)} kWh (sold &gt; 0, bought &lt; 0); reserve or limit violations: {r.Violations}.</p>
            {Chart("Prices (EUR/MWh)", ("actual", "#2b6cb0", x => x.PriceEurPerMwh), ("forecast", "#a0aec0", x => x.ForecastEurPerMwh))}
            {Chart("Schedule (kW, + sell)", ("awarded", "#d69e2e", x => x.AwardedKw), ("delivered", "#2f855a", x => x.DeliveredKw))}
            {Chart("Fleet state of charge (%)", ("SoC", "#38a169", x => x.FleetSocPct))}
            {Chart("Frequency reserve (kW)", ("held", "#805ad5", x => x.ReserveKw), ("droop given, mean", "#e53e3e", x => x.DroopKw), ("SoC restoration, mean", "#718096", x => x.RestoreKw))}
            {Chart("Grid frequency per product (Hz)", ("min", "#c53030", x => x.MinHz), ("max", "#2c5282", x => x.MaxHz))}
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

    /// <summary>Synthetic reserve-capacity prices, 8–14 EUR/MW/h, per 4-hour block of each day.</summary>
    public static IReadOnlyDictionary<Instant, double> ReserveBlocks(DateTimeZone zone, LocalDate first, int days) =>
        Enumerable.Range(0, days).SelectMany(d => MarketCalendar.ReserveCapacity(zone).Products(first.PlusDays(d)))
            .ToDictionary(b => b.Delivery.Start, b => 8 + 6 * Math.Abs(Math.Sin(b.Delivery.Start.ToUnixTimeSeconds() / 14400.0)));

    public static string ToCsv(IReadOnlyDictionary<Instant, double> prices) =>
        "ts,priceEurPerMwh\n" + string.Join('\n', prices.OrderBy(p => p.Key).Select(p =>
            $"{NodaTime.Text.InstantPattern.ExtendedIso.Format(p.Key)},{p.Value.ToString(CultureInfo.InvariantCulture)}")) + "\n";
}
