using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Net.WebSockets;

namespace Vpp.Simulators.Bench;

/// <summary>
/// The baseline for ingest benchmarks: a bare Kestrel WebSocket endpoint that accepts any device and
/// only counts frames. No parsing, no grains — what the transport alone can carry on this machine.
/// </summary>
public static class BareSink
{
    private static long _frames;

    public static async Task RunAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/count", () => Results.Ok(new { frames = Interlocked.Read(ref _frames) }));
        app.Map("/devices/v1/ws", async (HttpContext http) =>
        {
            if (!http.WebSockets.IsWebSocketRequest) { http.Response.StatusCode = 400; return; }
            using var ws = await http.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16 * 1024 + 1];
            while (ws.State == WebSocketState.Open)
            {
                var r = await ws.ReceiveAsync(buffer.AsMemory(), http.RequestAborted);
                if (r.MessageType == WebSocketMessageType.Close) break;
                if (r.EndOfMessage && Interlocked.Increment(ref _frames) % 64 == 0)
                    await Task.Yield(); // buffered receives complete synchronously; let other connections and /count run
            }
        });
        Console.WriteLine($"bare sink listening on http://127.0.0.1:{port}");
        await app.StartAsync(ct);
        // Stop on Ctrl+C (ct) and on SIGTERM (the host lifetime).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        try { await Task.Delay(Timeout.Infinite, stop.Token); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None);
    }
}
