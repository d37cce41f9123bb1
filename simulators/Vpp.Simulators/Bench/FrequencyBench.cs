using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using NodaTime;
using NodaTime.Text;
using Vpp.Messaging.Contracts;
using Vpp.Protocol;
using Vpp.Simulators.Common;
using Vpp.Simulators.Fleet;
using Vpp.Simulators.Shared;

namespace Vpp.Simulators.Bench;

/// <summary>
/// Central frequency response latency: N battery-only homes in one region report at 1 Hz over their
/// own WebSockets; the region commits 1 kW per battery in central mode; then each event produces a
/// frequency signal on vpp.grid-signals.v1 (alternately 49.8 Hz and 50.0 Hz, so every battery gets a
/// new setpoint) and times, on the devices' side, when the last setpoint frame of the event arrived.
/// Baseline in the same run: a bare Confluent consumer receiving the same signal (the Kafka hop alone).
/// </summary>
public static class FrequencyBench
{
    public sealed record Options(Uri Url, string ApiKey, string Bootstrap, int Batteries, int Events, string Region, int Dispatches = 0);

    public static async Task RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = o.Url, Timeout = TimeSpan.FromMinutes(2) };
        var api = new OperatorClient(http, o.ApiKey);
        var ws = new UriBuilder(o.Url) { Scheme = "ws", Path = "/devices/v1/ws" }.Uri;
        var received = new ConcurrentDictionary<int, ConcurrentBag<long>>(); // event → arrival timestamps (Stopwatch ticks)
        var currentEvent = -1;
        var dispatchFrames = new ConcurrentDictionary<string, ConcurrentBag<Instant>>(); // reason "dispatch {id}" → arrival instants

        await output.WriteLineAsync($"registering {o.Batteries} battery homes in region {o.Region} …");
        var tokens = new string[o.Batteries];
        await Parallel.ForAsync(0, o.Batteries, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var siteId = $"{o.Region}-{i:D5}";
            await api.RegisterSiteAsync(new { siteId, name = "Bench", timeZone = "Europe/Berlin", backupReservePct = 10, region = o.Region }, token);
            tokens[i] = await api.RegisterDeviceAsync(siteId, siteId + "-bat", new
            {
                deviceId = siteId + "-bat", kind = "battery",
                battery = new { capacityKwh = 13.5, maxChargeKw = 5.0, maxDischargeKw = 5.0, roundTripEfficiency = 0.9 },
            }, token);
        });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var gate = new SemaphoreSlim(64);
        var devices = tokens.Select((token, i) => new DeviceClient(ws, $"{o.Region}-{i:D5}-bat", token, async (m, c) =>
        {
            if (m is SetpointMessage { Reason: "frequency response" } && Volatile.Read(ref currentEvent) is var e and >= 0)
                received.GetOrAdd(e, _ => []).Add(Stopwatch.GetTimestamp());
            if (m is SetpointMessage dsp && dsp.Reason.StartsWith("dispatch ", StringComparison.Ordinal))
                dispatchFrames.GetOrAdd(dsp.Reason, _ => []).Add(SystemClock.Instance.GetCurrentInstant());
            if (m is SetpointMessage sp) await c.SendAsync(new AckMessage(sp.CommandId, AckStatus.Accepted, null), stop.Token);
        }, gate)).ToList();
        var loops = devices.Select(d => d.RunAsync(stop.Token)).Concat(devices.Select(d => Report(d, stop.Token))).ToList();

        await output.WriteLineAsync("waiting for the region to see every battery …");
        var sw = Stopwatch.StartNew();
        while ((await api.GetAsync($"/api/regions/{o.Region}/flexibility", ct))["sites"]!.GetValue<int>() < o.Batteries)
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("The region did not see every battery within 3 minutes.");
            await Task.Delay(500, ct);
        }
        var until = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));
        var commit = await api.PutAsync($"/api/regions/{o.Region}/frequency-response", new { committedKw = o.Batteries * 1.0, mode = "central", until }, ct);
        var committed = commit["batteries"]!.GetValue<int>();
        await output.WriteLineAsync($"committed {commit["committedKw"]} kW on {committed} batteries; {o.Events} events follow");

        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = o.Bootstrap, LingerMs = 0, Acks = Acks.All }).Build();
        var bare = new ConcurrentDictionary<string, long>();
        var bareLoop = Task.Run(() => BareConsumer(o.Bootstrap, bare, stop.Token), stop.Token);
        await Task.Delay(3000, ct); // the bare consumer joins its group

        var last = new List<double>();
        var all = new List<double>();
        var kafkaHop = new List<double>();
        for (var e = 0; e < o.Events; e++)
        {
            var hz = e % 2 == 0 ? 49.8 : 50.0;
            var ceId = Guid.NewGuid().ToString("N");
            var now = SystemClock.Instance.GetCurrentInstant();
            var ce = new CloudEvent(ceId, MessageTypes.Frequency, "urn:vpp-sim:frequency-bench", now);
            Volatile.Write(ref currentEvent, e);
            var t0 = Stopwatch.GetTimestamp();
            await producer.ProduceAsync(KafkaTopics.GridSignals, new Message<string, byte[]>
            {
                Key = o.Region, Headers = ce.ToHeaders(),
                Value = JsonSerializer.SerializeToUtf8Bytes(new { ts = InstantPattern.ExtendedIso.Format(now), hz }),
            }, ct);
            var ms = await Arrivals(received, e, committed, t0, output, ct);
            if (ms.Count > 0)
            {
                last.Add(ms.Max());
                all.AddRange(ms);
            }
            var hopWait = Stopwatch.StartNew();
            while (!bare.ContainsKey(ceId) && hopWait.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(1, ct);
            if (bare.TryGetValue(ceId, out var seen)) kafkaHop.Add(Stopwatch.GetElapsedTime(t0, seen).TotalMilliseconds);
            await Task.Delay(1000, ct);
        }

        await output.WriteLineAsync($"batteries {committed}, events {last.Count}");
        await output.WriteLineAsync($"bare Kafka hop (produce → bare consumer)        p50 {Percentile.Of(kafkaHop, 50):0.0} ms  p99 {Percentile.Of(kafkaHop, 99):0.0} ms");
        await output.WriteLineAsync($"signal → last setpoint frame of the event      p50 {Percentile.Of(last, 50):0.0} ms  p99 {Percentile.Of(last, 99):0.0} ms");
        await output.WriteLineAsync($"signal → each setpoint frame (all devices)     p50 {Percentile.Of(all, 50):0.0} ms  p99 {Percentile.Of(all, 99):0.0} ms");
        await output.WriteLineAsync($"last frame minus Kafka hop (VPP's own share)   p50 {Percentile.Of(last, 50) - Percentile.Of(kafkaHop, 50):0.0} ms");
        await api.PutAsync($"/api/regions/{o.Region}/frequency-response", new { committedKw = 0.0, mode = "central" }, ct);

        // Utility dispatch: from the request's startsAt (when the VPP starts it) to the last battery's setpoint frame.
        var starts = new List<double>();
        var frames = new List<double>();
        for (var d = 0; d < o.Dispatches; d++)
        {
            await Task.Delay(6000, ct); // reports after the last event reach the region
            var id = $"{o.Region}-dispatch-{Guid.NewGuid():N}";
            var startsAt = SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(3);
            await api.PostAsync("/api/dispatches", new
            {
                requestId = id, region = o.Region, startsAt = InstantPattern.ExtendedIso.Format(startsAt),
                endsAt = InstantPattern.ExtendedIso.Format(startsAt + Duration.FromMinutes(5)), powerKw = o.Batteries * 0.5,
            }, ct);
            var wait = Stopwatch.StartNew();
            var reason = "dispatch " + id;
            while ((dispatchFrames.TryGetValue(reason, out var bag) ? bag.Count : 0) < o.Batteries && wait.Elapsed < TimeSpan.FromSeconds(120))
                await Task.Delay(20, ct);
            var arrivals = dispatchFrames.TryGetValue(reason, out var got) ? got.ToList() : [];
            await output.WriteLineAsync($"dispatch {d}: {arrivals.Count}/{o.Batteries} setpoint frames");
            if (arrivals.Count > 0)
            {
                starts.Add((arrivals.Max() - startsAt).TotalMilliseconds);
                frames.AddRange(arrivals.Select(a => (a - startsAt).TotalMilliseconds));
            }
            await api.PostAsync($"/api/dispatches/{id}/cancel", new { reason = "benchmark" }, ct);
        }
        if (starts.Count > 0)
        {
            await output.WriteLineAsync($"dispatch startsAt → last setpoint frame         p50 {Percentile.Of(starts, 50):0} ms  p99 {Percentile.Of(starts, 99):0} ms  (n={starts.Count})");
            await output.WriteLineAsync($"dispatch startsAt → each setpoint frame         p50 {Percentile.Of(frames, 50):0} ms  p99 {Percentile.Of(frames, 99):0} ms");
        }
        await stop.CancelAsync();
        await Task.WhenAll(loops.Append(bareLoop).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    /// <summary>
    /// Waits (at most 10 s) until <paramref name="expected"/> frames of event <paramref name="e"/> arrived; their
    /// arrival times in ms since <paramref name="t0"/> (a Stopwatch timestamp), with a line when some are missing.
    /// </summary>
    internal static async Task<List<double>> Arrivals(ConcurrentDictionary<int, ConcurrentBag<long>> received, int e, int expected, long t0,
        TextWriter output, CancellationToken ct)
    {
        var wait = Stopwatch.StartNew();
        while ((received.TryGetValue(e, out var bag) ? bag.Count : 0) < expected && wait.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(2, ct);
        var arrivals = received.TryGetValue(e, out var got) ? got.ToList() : [];
        if (arrivals.Count < expected) await output.WriteLineAsync($"event {e}: only {arrivals.Count}/{expected} frames within 10 s");
        return arrivals.Select(t => Stopwatch.GetElapsedTime(t0, t).TotalMilliseconds).ToList();
    }

    internal static async Task Report(DeviceClient device, CancellationToken ct)
    {
        // 1 Hz telemetry: the battery at 60 % idle; spread over the second.
        try
        {
            await Task.Delay(Random.Shared.Next(1000), ct);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(ct))
                await device.SendAsync(new TelemetryMessage(++device.LastSeq, SystemClock.Instance.GetCurrentInstant(), 0, 60, null, null, null), ct);
        }
        catch (OperationCanceledException) { }
    }

    private static void BareConsumer(string bootstrap, ConcurrentDictionary<string, long> seen, CancellationToken ct)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "frequency-bench-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Latest,
            EnableAutoCommit = false, FetchWaitMaxMs = 5,
        }).Build();
        consumer.Subscribe(KafkaTopics.GridSignals);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var r = consumer.Consume(ct);
                var id = r.Message.Headers.TryGetLastBytes("ce_id", out var b) ? System.Text.Encoding.UTF8.GetString(b) : null;
                if (id is not null) seen[id] = Stopwatch.GetTimestamp();
            }
        }
        catch (OperationCanceledException) { }
        finally { consumer.Close(); }
    }
}
