using NodaTime;
using Vpp.Simulators.Bench;
using Vpp.Simulators.Common;
using Vpp.Simulators.Fleet;
using Vpp.Simulators.Kafka;

const string usage = """
    vpp-sim — simulators for VPP

      fleet   --url http://localhost:5080 --api-key KEY [--homes 50] [--prefix home] [--time-zone Europe/Berlin] [--region default] [--frequency synthetic|trace.csv]
              [--seed 1] [--interval-ms 1000] [--duration-s N]
              Registers homes (battery + solar + meter each) and runs every device as a WebSocket client.
      sink    [--port 5099]
              Bare Kestrel WebSocket sink that only counts frames (benchmark baseline).
      ingest  --url URL --target host|sink [--api-key KEY] [--devices 200] [--warmup-s 20] [--seconds 30]
              Blasts telemetry from N devices and prints the server-side ingest rate.
      utility [--bootstrap localhost:19092] [--group utility-sim] [--from-start]
              Follows vpp.dispatch.v1 and prints each dispatch's lifecycle as a utility would (repeats skipped by ce_id).
      grid    [--bootstrap localhost:19092] [--region DE-N] [--csv trace.csv] [--seconds 0] [--interval-ms 1000]
              [--dispatch-every-s 0] [--dispatch-kw 100] [--dispatch-minutes 15] [--seed 1] [--count 0]
              Produces a frequency trace (CSV of "hz" or "ts,hz", or synthetic) and dispatch requests to vpp.grid-signals.v1.
      dashboards --url URL --api-key KEY [--viewers 1000] [--prefix home] [--seconds 60] [--host-pid PID]
              N homeowners (accounts for the homes of a running fleet) watch their own site over the live hub;
              prints the delay from each shown reading's ts to the viewer (p50/p99) and, with --host-pid, the host's CPU.
      backtest [--prices prices.csv | --synthetic-days 7] [--reserve-prices blocks.csv | --no-reserve] [--reserve-at-opportunity-cost] [--pooled-caps] [--frequency trace.csv]
               [--homes 100] [--seed 1] [--step-s 10] [--out artifacts/backtest]
              Backtest of the market core on simulated batteries (no host) on a simulated clock: reserve capacity and
              day-ahead energy bids, clearing, delivery with droop against a frequency trace (1 reading per second; synthetic
              unless given), settlement; prints revenue, delivered vs awarded and violations (exit code 1 if any);
              writes backtest.csv and backtest.html.
      exchange [--prices prices.csv] [--reserve-prices blocks.csv] [--synthetic-days 7] [--port 5090] [--time-zone Europe/Berlin]
              [--min-bid-kw 100] [--reserve-min-bid-kw 1000]
              The simulated exchange over HTTP (docs/markets.md): day-ahead energy (gate D-1 12:00) and reserve capacity
              (4-hour blocks, gate D-1 08:00); clears bids at gate closure against the price series (synthetic unless given);
              point the host at it with Vpp:Markets:ExchangeUrl.
      frequency-bench --url URL --api-key KEY [--bootstrap localhost:19092] [--batteries 1000] [--events 30] [--region bench-fr] [--dispatches 0]
              Times central frequency response: frequency signal on Kafka → last setpoint frame at the devices (p50/p99);
              with --dispatches, also utility dispatch: startsAt → last setpoint frame.
      fanout-server [--port 5098]
              Bare Kestrel WebSocket endpoint: POST /burst writes one setpoint frame to every connected socket (baseline of frequency-bench).
      fanout-bench --url http://127.0.0.1:5098 [--devices 1000] [--events 30]
              Drives fanout-server with frequency-bench's devices; prints burst → last frame written (server) and at the devices.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(usage);
    return 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
try
{
    var a = new Args(args.Skip(1));
    switch (args[0])
    {
        case "fleet":
        {
            var duration = a.Optional("duration-s") is { } ds ? TimeSpan.FromSeconds(int.Parse(ds)) : (TimeSpan?)null;
            var options = new FleetOptions(new Uri(a.String("url", "http://localhost:5080")), a.String("api-key", Environment.GetEnvironmentVariable("VPP_API_KEY") ?? ""),
                a.Int("homes", 50), a.String("prefix", "home"), a.String("time-zone", "Europe/Berlin"), a.Int("seed", 1), duration, a.Int("interval-ms", 1000),
                a.String("region", "default"), Frequency(a.Optional("frequency"), a.Int("seed", 1)));
            a.EnsureAllUsed();
            await new FleetRunner(options, SystemClock.Instance, Console.Out).RunAsync(cts.Token);
            return 0;
        }
        case "sink":
        {
            var port = a.Int("port", 5099);
            a.EnsureAllUsed();
            await BareSink.RunAsync(port, cts.Token);
            return 0;
        }
        case "ingest":
        {
            var url = new Uri(a.String("url", "http://localhost:5080"));
            var target = a.String("target", "host");
            var key = a.String("api-key", Environment.GetEnvironmentVariable("VPP_API_KEY") ?? "");
            var devices = a.Int("devices", 200);
            var warmup = TimeSpan.FromSeconds(a.Int("warmup-s", 20));
            var seconds = TimeSpan.FromSeconds(a.Int("seconds", 30));
            a.EnsureAllUsed();
            await IngestBench.RunAsync(url, target, key, devices, warmup, seconds, Console.Out, cts.Token);
            return 0;
        }
        case "utility":
        {
            var bootstrap = a.String("bootstrap", "localhost:19092");
            var group = a.String("group", "utility-sim");
            var fromStart = a.Flag("from-start");
            a.EnsureAllUsed();
            await UtilityConsumer.RunAsync(bootstrap, group, fromStart, Console.Out, cts.Token);
            return 0;
        }
        case "backtest":
        {
            var csv = a.Optional("prices");
            var reserveCsv = a.Optional("reserve-prices");
            var noReserve = a.Flag("no-reserve");
            var atOpportunityCost = a.Flag("reserve-at-opportunity-cost");
            var pooledCaps = a.Flag("pooled-caps");
            var frequencyCsv = a.Optional("frequency");
            var synthetic = a.Int("synthetic-days", 7);
            var homes = a.Int("homes", 100);
            var seed = a.Int("seed", 1);
            var stepS = a.Int("step-s", 10);
            var outDir = a.String("out", "artifacts/backtest");
            a.EnsureAllUsed();
            var berlin = NodaTime.DateTimeZoneProviders.Tzdb["Europe/Berlin"];
            var first = SystemClock.Instance.GetCurrentInstant().InUtc().Date.PlusDays(-synthetic);
            var prices = csv is null
                ? Vpp.Simulators.Market.SyntheticPrices.Days(first, synthetic + 1, seed)
                : Vpp.Simulators.Market.SimulatedExchange.ReadPrices(File.OpenText(csv));
            var reservePrices = noReserve ? null
                : reserveCsv is null ? Vpp.Simulators.Market.SyntheticPrices.ReserveBlocks(berlin, prices.Keys.Min().InZone(berlin).Date, prices.Keys.Select(k => k.InZone(berlin).Date).Distinct().Count() + 1)
                : Vpp.Simulators.Market.SimulatedExchange.ReadPrices(File.OpenText(reserveCsv));
            var days = prices.Keys.Select(k => k.InZone(berlin).Date).Distinct().Count();
            var frequency = (frequencyCsv is null ? Vpp.Simulators.Kafka.GridSignalProducer.Synthetic(seed) : Vpp.Simulators.Kafka.GridSignalProducer.FromCsv(frequencyCsv))
                .Take(days * 86_400).ToArray();
            var r = Vpp.Simulators.Market.Backtest.Run(new(prices, homes, seed, outDir)
            {
                ReservePrices = reservePrices, FrequencyHz = frequency, Step = NodaTime.Duration.FromSeconds(Math.Max(1, stepS)),
                ReserveAtOpportunityCost = atOpportunityCost, PerHomeCaps = !pooledCaps,
            });
            Console.WriteLine($"days {r.Days}, homes {homes}: energy market {r.MarketEur:0.00} EUR, imbalance {r.ImbalanceEur:0.00} EUR, " +
                $"reserve capacity {r.ReserveEur:0.00} EUR ({r.ReserveKwh / 1000:0.0} MWh of capacity held), net {r.MarketEur + r.ImbalanceEur + r.ReserveEur:0.00} EUR");
            Console.WriteLine($"frequency: {frequency.Length} readings ({(frequencyCsv is null ? "synthetic" : frequencyCsv)}), {frequency.Min():0.000}–{frequency.Max():0.000} Hz; " +
                $"droop not given: {r.Rows.Sum(x => x.DroopShortKwh):0.000} kWh");
            Console.WriteLine($"awarded {r.AwardedKwh:0.0} kWh, delivered {r.DeliveredKwh:0.0} kWh (sold > 0, bought < 0); reserve or limit violations: {r.Violations} ({r.ReserveViolations} of them reserve)");
            Console.WriteLine($"wrote {Path.Combine(outDir, "backtest.csv")} and {Path.Combine(outDir, "backtest.html")}");
            return r.Violations == 0 ? 0 : 1;
        }
        case "exchange":
        {
            var csv = a.Optional("prices");
            var reserveCsv = a.Optional("reserve-prices");
            var synthetic = a.Int("synthetic-days", 7);
            var port = a.Int("port", 5090);
            var zone = NodaTime.DateTimeZoneProviders.Tzdb[a.String("time-zone", "Europe/Berlin")];
            var minBidKw = a.Double("min-bid-kw", 100);
            var reserveMinBidKw = a.Double("reserve-min-bid-kw", 1000);
            a.EnsureAllUsed();
            var today = SystemClock.Instance.GetCurrentInstant().InZone(zone).Date;
            var prices = csv is null
                ? Vpp.Simulators.Market.SyntheticPrices.Days(today.PlusDays(-synthetic), 2 * synthetic + 2, 1)
                : Vpp.Simulators.Market.SimulatedExchange.ReadPrices(File.OpenText(csv));
            var reserveMarket = Vpp.Domain.Markets.MarketCalendar.ReserveCapacity(zone);
            var reservePrices = reserveCsv is null
                ? Vpp.Simulators.Market.SyntheticPrices.ReserveBlocks(zone, today.PlusDays(-synthetic), 2 * synthetic + 2)
                : Vpp.Simulators.Market.SimulatedExchange.ReadPrices(File.OpenText(reserveCsv));
            var markets = new Dictionary<string, Vpp.Simulators.Market.SimulatedMarket>
            {
                ["day-ahead"] = new(Vpp.Domain.Markets.MarketCalendar.DayAhead(zone), new(prices, minBidKw)),
                ["reserve-capacity"] = new(reserveMarket, new(reservePrices, reserveMinBidKw)),
            };
            await using var server = await Vpp.Simulators.Market.ExchangeServer.StartAsync(markets, SystemClock.Instance, port, cts.Token);
            Console.WriteLine($"simulated exchange on {server.BaseAddress}: day-ahead ({prices.Count} prices, minimum bid {minBidKw} kW), " +
                $"reserve-capacity ({reservePrices.Count} block prices, minimum bid {reserveMinBidKw} kW); Ctrl+C stops it");
            try { await server.RunUntilStoppedAsync(cts.Token); } catch (OperationCanceledException) { }
            return 0;
        }
        case "dashboards":
        {
            var pid = a.Optional("host-pid") is { } p ? int.Parse(p) : (int?)null;
            var options = new DashboardBench.Options(new Uri(a.String("url", "http://localhost:5080")), a.String("api-key", Environment.GetEnvironmentVariable("VPP_API_KEY") ?? ""),
                a.Int("viewers", 1000), a.String("prefix", "home"), TimeSpan.FromSeconds(a.Int("seconds", 60)), pid);
            a.EnsureAllUsed();
            await DashboardBench.RunAsync(options, Console.Out, cts.Token);
            return 0;
        }
        case "frequency-bench":
        {
            var options = new FrequencyBench.Options(new Uri(a.String("url", "http://localhost:5080")),
                a.String("api-key", Environment.GetEnvironmentVariable("VPP_API_KEY") ?? ""), a.String("bootstrap", "localhost:19092"),
                a.Int("batteries", 1000), a.Int("events", 30), a.String("region", "bench-fr"), a.Int("dispatches", 0));
            a.EnsureAllUsed();
            await FrequencyBench.RunAsync(options, Console.Out, cts.Token);
            return 0;
        }
        case "fanout-server":
        {
            var port = a.Int("port", 5098);
            a.EnsureAllUsed();
            await BareFanout.ServeAsync(port, cts.Token);
            return 0;
        }
        case "fanout-bench":
        {
            var url = new Uri(a.String("url", "http://127.0.0.1:5098"));
            var devices = a.Int("devices", 1000);
            var events = a.Int("events", 30);
            a.EnsureAllUsed();
            await FanoutBench.RunAsync(url, devices, events, Console.Out, cts.Token);
            return 0;
        }
        case "grid":
        {
            var options = new GridOptions(a.String("bootstrap", "localhost:19092"), a.String("region", "DE-N"), a.Optional("csv"),
                a.Int("seconds", 0), a.Int("interval-ms", 1000), a.Int("dispatch-every-s", 0), a.Double("dispatch-kw", 100),
                a.Int("dispatch-minutes", 15), a.Int("seed", 1), a.Int("count", 0));
            a.EnsureAllUsed();
            await GridSignalProducer.RunAsync(options, SystemClock.Instance, Console.Out, cts.Token);
            return 0;
        }
        default:
            Console.Error.WriteLine($"Unknown command '{args[0]}'.\n{usage}");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    return 0;
}

// The grid frequency simulated homes measure for local droop: none (50 Hz), the synthetic trace, or a CSV trace.
static Func<Instant, double>? Frequency(string? source, int seed) => source switch
{
    null => null,
    "synthetic" => new FrequencyFeed(GridSignalProducer.Synthetic(seed), SystemClock.Instance.GetCurrentInstant()).At,
    _ => new FrequencyFeed(GridSignalProducer.FromCsv(source), SystemClock.Instance.GetCurrentInstant()).At,
};
