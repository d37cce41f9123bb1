using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vpp.Protocol;
using Vpp.Simulators.Fleet;

namespace Vpp.Simulators.Tests;

/// <summary>DeviceClient against a real Kestrel peer that misbehaves on purpose.</summary>
public class DeviceClientTests
{
    private static async Task<(WebApplication App, Uri Ws)> Peer(Func<WebSocket, int, Task> onConnection)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        var count = 0;
        app.Map("/devices/v1/ws", async (HttpContext http) =>
        {
            if (http.Request.Headers.Authorization != "Bearer tok") { http.Response.StatusCode = 401; return; }
            using var ws = await http.WebSockets.AcceptWebSocketAsync();
            await onConnection(ws, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("http", "ws") + "/devices/v1/ws"));
    }

    private static Task Welcome(WebSocket ws) =>
        ws.SendAsync(MessageWriter.Write(new WelcomeMessage(NodaTime.SystemClock.Instance.GetCurrentInstant(), 1000, 41)), WebSocketMessageType.Text, true, CancellationToken.None);

    [Fact]
    public async Task Reconnects_after_dropped_connections_and_learns_last_seq()
    {
        var (app, ws) = await Peer(async (socket, n) =>
        {
            if (n < 3) { socket.Abort(); return; }   // drop the first two connections hard
            await Welcome(socket);
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open) await socket.ReceiveAsync(buffer, CancellationToken.None);
        });
        await using var _ = app;
        var client = new DeviceClient(ws, "dev-1", "tok", (_, _) => Task.CompletedTask, new SemaphoreSlim(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = client.RunAsync(cts.Token);

        while (!(client.Connected && client.LastSeq > 0) && !cts.IsCancellationRequested) await Task.Delay(50);
        client.Connected.Should().BeTrue();
        client.Reconnects.Should().Be(2);
        client.LastSeq.Should().Be(41, "welcome.lastSeq lets a device continue its sequence");
        (await client.SendAsync(new HelloMessage("dev-1", null), CancellationToken.None)).Should().BeTrue();
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Stops_for_good_when_replaced()
    {
        var connections = 0;
        var (app, ws) = await Peer(async (socket, n) =>
        {
            Interlocked.Increment(ref connections);
            await Welcome(socket);
            await socket.CloseOutputAsync((WebSocketCloseStatus)ProtocolCloseCodes.Replaced, "replaced", CancellationToken.None);
            var buffer = new byte[1024];
            try { while (socket.State != WebSocketState.Closed) await socket.ReceiveAsync(buffer, CancellationToken.None); }
            catch (WebSocketException) { }
        });
        await using var _ = app;
        var client = new DeviceClient(ws, "dev-2", "tok", (_, _) => Task.CompletedTask, new SemaphoreSlim(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await client.RunAsync(cts.Token);

        client.StoppedWith.Should().Be(ProtocolCloseCodes.Replaced);
        connections.Should().Be(1);
        cts.IsCancellationRequested.Should().BeFalse("it stopped by itself, not by the test's timeout");
    }
}
