using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vpp.Host.Api;
using Vpp.Host.Hosting;
using Vpp.Protocol;

namespace Vpp.EndToEnd.Tests;

/// <summary>The real host on Kestrel (127.0.0.1, port 0) with its co-hosted silo on free ports.</summary>
public class VppHost : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public const string ApiKey = "test-operator-key";
    /// <summary>What the host logged at Warning and above.</summary>
    public CapturedLogs Logs { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;
    public Uri DeviceEndpoint => new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/devices/v1/ws" }.Uri;

    public VppHost() : this(new Dictionary<string, string>()) { }

    /// <summary>Extra configuration, e.g. a PostgreSQL connection string or Kafka brokers.</summary>
    protected VppHost(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        UseKestrel(0);
        StartServer();
        BaseAddress = ClientOptions.BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Vpp:OperatorApiKey", ApiKey);
        builder.UseSetting("Vpp:TelemetryIntervalMs", "1000");
        builder.UseSetting("Vpp:Orleans:SiloPort", FreePort().ToString());
        builder.UseSetting("Vpp:Orleans:GatewayPort", FreePort().ToString());
        builder.UseSetting("Vpp:Orleans:ClusterId", "e2e-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Kafka:EmbeddedPort", "0"); // each test host gets its own embedded Kafka on random ports
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(Logs));
    }

    /// <summary>
    /// A port that is free now, below Linux's ephemeral range (32768+): ports the OS hands out (port 0)
    /// are also what outgoing connections use, so one could be taken again before the host binds it.
    /// </summary>
    internal static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = attempt < 50 ? Random.Shared.Next(20_000, 32_000) : 0;
            try
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                return ((IPEndPoint)l.LocalEndpoint).Port;
            }
            catch (SocketException) when (attempt < 50)
            {
            }
        }
    }

    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return http;
    }

    public async Task<Dictionary<string, string>> RegisterHomeAsync(string siteId, double reservePct = 20)
    {
        using var http = Api();
        return await TestHomes.RegisterAsync(http, siteId, reservePct);
    }

    public Task<DeviceSocket> ConnectAsync(string token) => DeviceSocket.ConnectAsync(DeviceEndpoint, token);

    public Task<CookieContainer> SignInOperatorAsync() => Sessions.SignInOperatorAsync(BaseAddress);

    public Task<CookieContainer> SignInHomeownerAsync(string username, string password) => Sessions.SignInHomeownerAsync(BaseAddress, username, password);

    public async Task CreateHomeownerAsync(string siteId, string username, string password)
    {
        using var api = Api();
        await Sessions.CreateHomeownerAsync(api, siteId, username, password);
    }

    public HttpClient Browser(CookieContainer cookies) => Sessions.Browser(BaseAddress, cookies);

    /// <summary>A live hub connection for a session (default: a signed-in operator).</summary>
    public async Task<HubConnection> LiveAsync(CookieContainer? session = null) =>
        await Sessions.LiveAsync(BaseAddress, session ?? await SignInOperatorAsync());

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>A host with extra settings, created by a test itself (class fixtures need one public constructor).</summary>
public sealed class ConfiguredVppHost(IReadOnlyDictionary<string, string> settings) : VppHost(settings);

/// <summary>A standard test home: a 10 kWh / 5 kW battery (90 % RTE), 6 kW PV and a meter.</summary>
public static class TestHomes
{
    /// <summary>Registers the home; returns device id → token.</summary>
    public static async Task<Dictionary<string, string>> RegisterAsync(HttpClient http, string siteId, double reservePct = 20)
    {
        (await http.PostAsJsonAsync("/api/sites", new { siteId, name = "Home", timeZone = "Europe/Berlin", backupReservePct = reservePct }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var tokens = new Dictionary<string, string>();
        foreach (var (suffix, body) in new (string, object)[]
                 {
                     ("-bat", new { deviceId = siteId + "-bat", kind = "battery", battery = new { capacityKwh = 10, maxChargeKw = 5, maxDischargeKw = 5, roundTripEfficiency = 0.9 } }),
                     ("-pv", new { deviceId = siteId + "-pv", kind = "solar", solar = new { ratedKw = 6 } }),
                     ("-meter", new { deviceId = siteId + "-meter", kind = "meter" }),
                 })
        {
            var res = await http.PostAsJsonAsync($"/api/sites/{siteId}/devices", body);
            res.StatusCode.Should().Be(HttpStatusCode.Created);
            tokens[siteId + suffix] = (await res.ReadViewAsync<DeviceRegistered>()).Token;
        }
        return tokens;
    }
}

/// <summary>A device's side of the socket, for tests.</summary>
public sealed class DeviceSocket(ClientWebSocket ws) : IAsyncDisposable
{
    /// <summary>Connects with the token and reads the welcome.</summary>
    public static async Task<DeviceSocket> ConnectAsync(Uri endpoint, string token)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await ws.ConnectAsync(endpoint, CancellationToken.None);
        var socket = new DeviceSocket(ws);
        socket.Welcome = (await socket.ReceiveAsync()).Should().BeOfType<WelcomeMessage>().Subject;
        return socket;
    }

    public WelcomeMessage Welcome { get; private set; } = null!;

    public ClientWebSocket Socket => ws;

    public Task SendAsync(string json) => SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);

    public Task SendAsync(byte[] bytes, WebSocketMessageType type) =>
        ws.SendAsync(bytes, type, true, CancellationToken.None);

    public Task SendJsonAsync(object message) => SendAsync(JsonSerializer.Serialize(message, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    /// <summary>Next text frame as the protocol's record (read strictly), or null when the server closed the connection.</summary>
    public async Task<ServerMessage?> ReceiveAsync(int timeoutMs = 10_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[64 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult r;
        do
        {
            r = await ws.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            length += r.Count;
        } while (!r.EndOfMessage);
        return r.MessageType == WebSocketMessageType.Close ? null : DeviceFrames.Read(buffer.AsSpan(0, length));
    }

    /// <summary>Reads until the server closes; returns the close code.</summary>
    public async Task<int?> ClosedWithAsync(int timeoutMs = 10_000)
    {
        try
        {
            while (await ReceiveAsync(timeoutMs) is not null) { }
        }
        catch (WebSocketException) { }
        return (int?)ws.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (ws.State == WebSocketState.Open) await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        catch (WebSocketException) { }
        ws.Dispose();
    }
}
