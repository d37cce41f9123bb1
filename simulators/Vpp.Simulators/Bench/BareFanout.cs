using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodaTime;
using Vpp.Protocol;

namespace Vpp.Simulators.Bench;

/// <summary>
/// The baseline for the central frequency response: a bare Kestrel WebSocket endpoint that, on
/// <c>POST /burst</c>, writes one setpoint frame (the protocol's own, built by <see cref="MessageWriter"/>)
/// to every connected socket, split over the cores as the host's gateway does, and answers how long
/// that took. No Kafka, no grains, no region: what writing N frames costs on this machine.
/// </summary>
public static class BareFanout
{
    public static async Task ServeAsync(int port, CancellationToken ct)
    {
        var app = await StartAsync(port, ct);
        Console.WriteLine($"bare fan-out listening on http://127.0.0.1:{port}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        try { await Task.Delay(Timeout.Infinite, stop.Token); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None);
    }

    /// <summary>Starts the endpoint on 127.0.0.1:<paramref name="port"/> (0: any free port; the app's addresses say which).</summary>
    public static async Task<WebApplication> StartAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        var sockets = new ConcurrentDictionary<long, WebSocket>();
        long next = 0;
        app.MapGet("/count", () => Results.Ok(new { connected = sockets.Count }));
        app.MapPost("/burst", async () => Results.Ok(new { frames = sockets.Count, ms = await Burst(sockets.Values.ToArray()) }));
        app.Map("/devices/v1/ws", async (HttpContext http) =>
        {
            if (!http.WebSockets.IsWebSocketRequest) { http.Response.StatusCode = 400; return; }
            using var ws = await http.WebSockets.AcceptWebSocketAsync();
            var id = Interlocked.Increment(ref next);
            sockets[id] = ws;
            try
            {
                var buffer = new byte[16 * 1024];
                while (ws.State == WebSocketState.Open)
                    if ((await ws.ReceiveAsync(buffer.AsMemory(), http.RequestAborted)).MessageType == WebSocketMessageType.Close) break;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
            finally
            {
                sockets.TryRemove(id, out _);
            }
        });
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>One frame per socket, chunked over the cores like <c>DeviceGateway.SendCentralResponse</c>; the time until every send completed.</summary>
    private static async Task<double> Burst(WebSocket[] sockets)
    {
        var sw = Stopwatch.StartNew();
        var validUntil = SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(10);
        var chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, sockets.Length / 256));
        var size = (sockets.Length + chunks - 1) / chunks;
        await Task.WhenAll(Enumerable.Range(0, chunks).Select(c => Task.Run(async () =>
        {
            var sends = new List<Task>();
            for (var i = c * size; i < Math.Min(sockets.Length, (c + 1) * size); i++)
                sends.Add(Send(sockets[i], new SetpointMessage("central-" + Guid.CreateVersion7().ToString("N"), 1.0, validUntil, "frequency response", 10)));
            await Task.WhenAll(sends);
        })));
        return sw.Elapsed.TotalMilliseconds;
    }

    private static async Task Send(WebSocket socket, SetpointMessage message)
    {
        try
        {
            await socket.SendAsync(MessageWriter.Write(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
    }
}
