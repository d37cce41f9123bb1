using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vpp.Protocol;
using Vpp.Simulators.Fleet;
using Vpp.Simulators.Shared;

namespace Vpp.Simulators.Bench;

/// <summary>
/// Drives <see cref="BareFanout"/> with the same devices as <see cref="FrequencyBench"/> (one WebSocket
/// each, 1 Hz telemetry, an ack per setpoint): per event one burst of N frames, timed on the server
/// (request → every frame written) and on the devices (request → last frame arrived).
/// </summary>
public static class FanoutBench
{
    public static async Task RunAsync(Uri url, int devices, int events, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(1) };
        var ws = new UriBuilder(url) { Scheme = "ws", Path = "/devices/v1/ws" }.Uri;
        var received = new ConcurrentDictionary<int, ConcurrentBag<long>>();
        var currentEvent = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var gate = new SemaphoreSlim(64);
        var clients = Enumerable.Range(0, devices).Select(i => new DeviceClient(ws, $"fanout-{i:D5}", "bare", async (m, c) =>
        {
            if (m is not SetpointMessage sp) return;
            if (Volatile.Read(ref currentEvent) is var e and >= 0) received.GetOrAdd(e, _ => []).Add(Stopwatch.GetTimestamp());
            await c.SendAsync(new AckMessage(sp.CommandId, AckStatus.Accepted, null), stop.Token);
        }, gate)).ToList();
        var loops = clients.Select(d => d.RunAsync(stop.Token)).Concat(clients.Select(d => FrequencyBench.Report(d, stop.Token))).ToList();

        var wait = Stopwatch.StartNew();
        while ((await http.GetFromJsonAsync<JsonObject>("/count", ct))!["connected"]!.GetValue<int>() < devices)
        {
            if (wait.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"Not every device connected to the bare fan-out within 3 minutes.");
            await Task.Delay(500, ct);
        }
        await Task.Delay(2000, ct); // telemetry settles into its 1 Hz rhythm

        var server = new List<double>();
        var last = new List<double>();
        for (var e = 0; e < events; e++)
        {
            Volatile.Write(ref currentEvent, e);
            var t0 = Stopwatch.GetTimestamp();
            var burst = (await (await http.PostAsync("/burst", null, ct)).Content.ReadFromJsonAsync<JsonObject>(ct))!;
            server.Add(burst["ms"]!.GetValue<double>());
            var ms = await FrequencyBench.Arrivals(received, e, devices, t0, output, ct);
            if (ms.Count > 0) last.Add(ms.Max());
            await Task.Delay(1000, ct);
        }

        await output.WriteLineAsync($"bare fan-out: devices {devices}, events {server.Count}");
        await output.WriteLineAsync($"bare fan-out: burst → last frame written (server)   p50 {Percentile.Of(server, 50):0.0} ms  p99 {Percentile.Of(server, 99):0.0} ms  max {server.Max():0.0} ms");
        await output.WriteLineAsync($"bare fan-out: burst → last frame at the devices     p50 {Percentile.Of(last, 50):0.0} ms  p99 {Percentile.Of(last, 99):0.0} ms");
        await stop.CancelAsync();
        await Task.WhenAll(loops.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }
}
