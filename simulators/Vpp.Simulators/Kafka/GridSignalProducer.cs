using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using NodaTime;
using NodaTime.Text;
using Vpp.Messaging.Contracts;

namespace Vpp.Simulators.Kafka;

/// <summary>Seconds and Count: stop after either (0 = no limit).</summary>
public sealed record GridOptions(string Bootstrap, string Region, string? CsvPath, int Seconds, int IntervalMs, int DispatchEverySeconds,
    double DispatchKw, int DispatchMinutes, int Seed, int Count = 0);

/// <summary>
/// What a grid operator or utility sends: a frequency trace (from a CSV of "hz" or "ts,hz" lines, or
/// synthetic: 50 Hz with slow wander, noise and an occasional dip) and dispatch requests.
/// </summary>
public static class GridSignalProducer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task RunAsync(GridOptions o, IClock clock, TextWriter output, CancellationToken ct)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = o.Bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5,
        }).Build();
        var trace = o.CsvPath is null ? Synthetic(o.Seed) : FromCsv(o.CsvPath);
        var started = clock.GetCurrentInstant();
        var nextDispatch = started;
        var sent = 0;
        var requests = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(o.IntervalMs));
        foreach (var hz in trace)
        {
            var now = clock.GetCurrentInstant();
            if (ct.IsCancellationRequested || (o.Seconds > 0 && now - started >= Duration.FromSeconds(o.Seconds)) || (o.Count > 0 && sent >= o.Count)) break;
            await Produce(producer, MessageTypes.Frequency, o.Region, new { ts = Iso(now), hz = Math.Round(hz, 4) }, now, ct);
            sent++;
            if (o.DispatchEverySeconds > 0 && now >= nextDispatch)
            {
                var id = $"{o.Region}-{now.ToUnixTimeSeconds()}";
                var starts = now + Duration.FromMinutes(1);
                await Produce(producer, MessageTypes.DispatchRequest, o.Region, new
                {
                    requestId = id, region = o.Region, startsAt = Iso(starts), endsAt = Iso(starts + Duration.FromMinutes(o.DispatchMinutes)),
                    powerKw = o.DispatchKw, priority = 3,
                }, now, ct);
                output.WriteLine($"{Iso(now)} dispatch request {id}: {o.DispatchKw} kW in {o.Region} for {o.DispatchMinutes} min from {Iso(starts)}");
                requests++;
                nextDispatch = now + Duration.FromSeconds(o.DispatchEverySeconds);
            }
            if (sent % 10 == 0) output.WriteLine($"{Iso(now)} {o.Region} {hz:0.000} Hz ({sent} readings, {requests} dispatch requests)");
            if (!await timer.WaitForNextTickAsync(ct)) break;
        }
        producer.Flush(TimeSpan.FromSeconds(10));
        output.WriteLine($"grid: sent {sent} frequency readings and {requests} dispatch requests to {KafkaTopics.GridSignals}");
    }

    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    private static Task Produce(IProducer<string, byte[]> p, string type, string key, object value, Instant at, CancellationToken ct)
    {
        var ce = new CloudEvent(Guid.NewGuid().ToString("N"), type, "urn:vpp-sim:grid", at);
        return p.ProduceAsync(KafkaTopics.GridSignals,
            new Message<string, byte[]> { Key = key, Value = JsonSerializer.SerializeToUtf8Bytes(value, Json), Headers = ce.ToHeaders() }, ct);
    }

    /// <summary>50 Hz ± slow wander (±20 mHz) + noise (±5 mHz), with a 150 mHz dip every 5 minutes lasting 20 s.</summary>
    public static IEnumerable<double> Synthetic(int seed)
    {
        var rng = new Random(seed);
        for (var t = 0; ; t++)
        {
            var dip = t % 300 is >= 100 and < 120 ? -0.15 * Math.Exp(-(t % 300 - 100) / 8.0) : 0;
            yield return 50 + 0.02 * Math.Sin(t / 60.0) + (rng.NextDouble() - 0.5) * 0.01 + dip;
        }
    }

    /// <summary>One reading per line: "hz" or "ts,hz"; a header line and blank lines are skipped.</summary>
    public static IEnumerable<double> FromCsv(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var last = line.Split(',').Last().Trim();
            if (double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out var hz)) yield return hz;
        }
    }
}
