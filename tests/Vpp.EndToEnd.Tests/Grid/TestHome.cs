using Vpp.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using NodaTime;
using NodaTime.Text;
using Vpp.Host.Api;
using Vpp.Protocol;

namespace Vpp.EndToEnd.Tests.Grid;

/// <summary>
/// A home under the test's control: a battery that runs its setpoint (or covers the load) and a
/// meter, each on its own socket, reporting every 500 ms. The test can drop the battery's connection.
/// </summary>
public sealed class TestHome : IAsyncDisposable
{
    private DeviceSocket _battery;
    private DeviceSocket _meter;
    private readonly (string Battery, string Meter) _tokens;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private CancellationTokenSource _stop = new();
    private Task _loops;
    private long _seq;
    internal static readonly Duration ReportInterval = Duration.FromMilliseconds(500);
    private (double Kw, Instant Until)? _setpoint;

    public string SiteId { get; }
    public double LoadKw { get; set; } = 1.0;
    public double SocPct { get; set; } = 80;
    public int SetpointsReceived { get; private set; }
    public string? LastSetpointReason { get; private set; }
    /// <summary>Every setpoint's reason, in the order received.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> SetpointReasons { get; } = new();
    /// <summary>The state of charge this home reported when each setpoint arrived.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<double> SocAtSetpoints { get; } = new();
    /// <summary>Every setpoint's reason with the instant it arrived.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Reason, Instant At)> SetpointArrivals { get; } = new();
    /// <summary>Whether the home's meter reports (a home whose meter is silent cannot be measured).</summary>
    public bool MeterReports { get; init; } = true;
    /// <summary>What the meter claims the grid flow is, instead of the home's physics (a lying or broken meter); null: the truth.</summary>
    public double? MeterGridKw { get; set; }
    /// <summary>How the battery answers setpoints: "accepted" (and runs them), "rejected", or null (never answers).</summary>
    public string? AnswerSetpointsWith { get; set; } = "accepted";
    public FrequencyResponseMessage? FrequencyResponse { get; private set; }
    /// <summary>Reporting rounds sent (battery and meter each once a round).</summary>
    public long RoundsSent => Interlocked.Read(ref _seq);
    public double BatteryKw => _setpoint is { } s && s.Until > Now ? s.Kw : LoadKw;

    private static Instant Now => SystemClock.Instance.GetCurrentInstant();

    private TestHome(string siteId, DeviceSocket battery, DeviceSocket meter, (string, string) tokens, bool meterReports = true)
    {
        SiteId = siteId;
        MeterReports = meterReports;
        _battery = battery;
        _meter = meter;
        _tokens = tokens;
        _loops = Task.WhenAll(Report(), Receive());
    }

    public static async Task<TestHome> StartAsync(VppHost host, string siteId, string region, bool meterReports = true)
    {
        using var api = host.Api();
        return await StartAsync(api, host.DeviceEndpoint, siteId, region, meterReports);
    }

    public static async Task<TestHome> StartAsync(HttpClient api, Uri deviceEndpoint, string siteId, string region, bool meterReports = true)
    {
        (await api.PostAsJsonAsync("/api/sites", new { siteId, name = "Home", timeZone = "Europe/Berlin", backupReservePct = 20, region }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var battery = await Register(api, siteId, new { deviceId = siteId + "-bat", kind = "battery", battery = new { capacityKwh = 10, maxChargeKw = 5, maxDischargeKw = 5, roundTripEfficiency = 0.9 } });
        var meter = await Register(api, siteId, new { deviceId = siteId + "-meter", kind = "meter" });
        return new TestHome(siteId, await DeviceSocket.ConnectAsync(deviceEndpoint, battery), await DeviceSocket.ConnectAsync(deviceEndpoint, meter), (battery, meter), meterReports);
    }

    /// <summary>
    /// The server went away: like a real device the battery keeps running its setpoint until it
    /// expires, and both devices connect to <paramref name="deviceEndpoint"/> again.
    /// </summary>
    public async Task ReconnectAsync(Uri deviceEndpoint)
    {
        await _stop.CancelAsync();
        _battery.Socket.Abort();
        _meter.Socket.Abort();
        await _loops;
        _stop = new CancellationTokenSource();
        _battery = await DeviceSocket.ConnectAsync(deviceEndpoint, _tokens.Battery);
        _meter = await DeviceSocket.ConnectAsync(deviceEndpoint, _tokens.Meter);
        _loops = Task.WhenAll(Report(), Receive());
    }

    private static async Task<string> Register(HttpClient api, string siteId, object body)
    {
        var res = await api.PostAsJsonAsync($"/api/sites/{siteId}/devices", body);
        res.StatusCode.Should().Be(HttpStatusCode.Created);
        return (await res.ReadViewAsync<DeviceRegistered>()).Token;
    }

    private async Task Report()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var ts = InstantPattern.ExtendedIso.Format(Now);
                var battery = BatteryKw;
                var seq = Interlocked.Increment(ref _seq);
                if (_battery.Socket.State == WebSocketState.Open)
                    await Send(_battery, new { type = "telemetry", seq, ts, powerKw = battery, socPct = SocPct });
                if (MeterReports)
                    await _meter.SendJsonAsync(new { type = "telemetry", seq, ts, powerKw = 0.0, gridKw = MeterGridKw ?? LoadKw - battery, loadKw = LoadKw });
                await Task.Delay(ReportInterval.ToTimeSpan(), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
    }

    private async Task Receive()
    {
        try
        {
            while (await _battery.ReceiveAsync(timeoutMs: 600_000) is { } message)
            {
                if (message is FrequencyResponseMessage droop)
                {
                    FrequencyResponse = droop;
                    await Send(_battery, new { type = "ack", commandId = droop.CommandId, status = "accepted" });
                    continue;
                }
                if (message is not SetpointMessage setpoint) continue;
                // The battery runs it before the test can see it arrived: a test that waits for the reason then reads the power.
                var answer = AnswerSetpointsWith;
                if (answer == "accepted") _setpoint = (setpoint.PowerKw, setpoint.ValidUntil);
                SetpointsReceived++;
                SetpointReasons.Enqueue(setpoint.Reason);
                SetpointArrivals.Enqueue((setpoint.Reason, Now));
                SocAtSetpoints.Enqueue(SocPct);
                LastSetpointReason = setpoint.Reason;
                if (answer is null) continue;
                await Send(_battery, new { type = "ack", commandId = setpoint.CommandId, status = answer, reason = answer == "rejected" ? "busy" : null });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
    }

    private async Task Send(DeviceSocket socket, object message)
    {
        await _sendLock.WaitAsync();
        try { await socket.SendJsonAsync(message); }
        finally { _sendLock.Release(); }
    }

    /// <summary>The battery's connection drops (the meter keeps reporting); the battery falls back to self-consumption.</summary>
    public void DropBattery()
    {
        _setpoint = null;
        _battery.Socket.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _battery.Socket.Abort();
        _meter.Socket.Abort();
        await _loops;
        _battery.Socket.Dispose();
        _meter.Socket.Dispose();
    }
}

/// <summary>The homes a test runs, disconnected together when it ends (<c>await using</c>).</summary>
public sealed class HomeGroup : List<TestHome>, IAsyncDisposable
{
    /// <summary>Waits until every home has reported for <paramref name="span"/> more (e.g. a dispatch baseline's window of meter readings).</summary>
    public async Task ReportedForAsync(Duration span, int timeoutMs = 30_000)
    {
        var rounds = (long)Math.Ceiling(span / TestHome.ReportInterval) + 1;
        var from = this.Select(h => h.RoundsSent).ToArray();
        await Eventually.Value(() => this.Select((h, i) => h.RoundsSent - from[i]).ToArray(), sent => sent.All(n => n >= rounds), timeoutMs);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var home in this) await home.DisposeAsync();
    }
}
