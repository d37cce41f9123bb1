using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using NodaTime;
using Vpp.Protocol;
using Vpp.Simulators.Common;

namespace Vpp.Simulators.Bench;

/// <summary>
/// Load driver: N battery devices, each sending telemetry as fast as its socket allows, against the
/// host (readings counted by the twins, /api/diagnostics) or the bare sink (frames counted, /count).
/// Reports the server-side rate over the measured window, after a warm-up.
/// </summary>
public static class IngestBench
{
    public static async Task<double> RunAsync(Uri baseUrl, string target, string apiKey, int devices, TimeSpan warmup, TimeSpan measure, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var tokens = new string[devices];
        var ids = Enumerable.Range(0, devices).Select(i => $"bench-{i:D5}").ToArray();
        if (target == "host")
        {
            var api = new OperatorClient(http, apiKey);
            await Parallel.ForAsync(0, devices, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
            {
                await api.RegisterSiteAsync(new { siteId = ids[i], name = ids[i], timeZone = "Europe/Berlin", backupReservePct = 20 }, token);
                tokens[i] = await api.RegisterDeviceAsync(ids[i], ids[i], new
                {
                    deviceId = ids[i], kind = "battery",
                    battery = new { capacityKwh = 10, maxChargeKw = 5, maxDischargeKw = 5, roundTripEfficiency = 0.9 },
                }, token);
            });
        }
        else
        {
            Array.Fill(tokens, "sink");
        }

        // Open the counter's pooled connection before the blast: a new accept under full load can starve.
        await Count(http, target, apiKey, ct);
        var ws = new UriBuilder(baseUrl) { Scheme = "ws", Path = "/devices/v1/ws" }.Uri;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var senders = Enumerable.Range(0, devices).Select(i => Blast(ws, tokens[i], stop.Token)).ToArray();

        await Task.Delay(warmup, ct);
        var before = await Count(http, target, apiKey, ct);
        var sw = Stopwatch.StartNew();
        await Task.Delay(measure, ct);
        var after = await Count(http, target, apiKey, ct);
        var rate = (after - before) / sw.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        await output.WriteLineAsync($"{target}: {devices} devices, {rate:0} msg/s ingested over {sw.Elapsed.TotalSeconds:0.0} s");
        return rate;
    }

    private static async Task<long> Count(HttpClient http, string target, string apiKey, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, target == "host" ? "/api/diagnostics" : "/count");
        req.Headers.Add("X-Api-Key", apiKey);
        using var res = await http.SendAsync(req, ct);
        res.EnsureSuccessStatusCode();
        var json = (await res.Content.ReadFromJsonAsync<JsonObject>(ct))!;
        return json[target == "host" ? "telemetryIngested" : "frames"]!.GetValue<long>();
    }

    private static async Task Blast(Uri ws, string token, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        try
        {
            await socket.ConnectAsync(ws, ct);
            var drain = Drain(socket, ct);
            long seq = 0;
            while (!ct.IsCancellationRequested)
            {
                var frame = MessageWriter.Write(new TelemetryMessage(++seq, SystemClock.Instance.GetCurrentInstant(), 1.5, 50, null, null, null));
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
                // Sends to loopback mostly complete synchronously; yield so counters and peers get CPU.
                if (seq % 64 == 0) await Task.Yield();
            }
            await drain;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static async Task Drain(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State == WebSocketState.Open) await socket.ReceiveAsync(buffer.AsMemory(), ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
