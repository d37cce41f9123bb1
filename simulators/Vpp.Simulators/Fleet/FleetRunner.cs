using System.Diagnostics;
using NodaTime;
using Vpp.Protocol;
using Vpp.Simulators.Common;

namespace Vpp.Simulators.Fleet;

public sealed record FleetOptions(Uri BaseUrl, string ApiKey, int Homes, string Prefix, string TimeZone, int Seed, TimeSpan? Duration, int IntervalMs,
    string Region = "default", Func<Instant, double>? FrequencyHz = null);

/// <summary>
/// Registers N homes (battery + solar + meter each) through the operator API and runs every device
/// as its own WebSocket client. One loop per home steps the physics and sends all three readings.
/// </summary>
public sealed class FleetRunner(FleetOptions options, IClock clock, TextWriter output)
{
    private long _telemetrySent, _setpoints, _errors;

    public long TelemetrySent => Interlocked.Read(ref _telemetrySent);
    public long SetpointsReceived => Interlocked.Read(ref _setpoints);
    public long ErrorsReceived => Interlocked.Read(ref _errors);
    public List<(HomeModel Home, DeviceClient Battery, DeviceClient Solar, DeviceClient Meter)> Homes { get; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var api = new OperatorClient(http, options.ApiKey);
        var wsUri = new UriBuilder(options.BaseUrl) { Scheme = options.BaseUrl.Scheme == "https" ? "wss" : "ws", Path = "/devices/v1/ws" }.Uri;
        var connectGate = new SemaphoreSlim(64);

        var sw = Stopwatch.StartNew();
        await output.WriteLineAsync($"registering {options.Homes} homes ({options.Homes * 3} devices) at {options.BaseUrl} …");
        var homes = new (HomeModel, DeviceClient, DeviceClient, DeviceClient)[options.Homes];
        await Parallel.ForAsync(0, options.Homes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var siteId = $"{options.Prefix}-{i:D5}";
            var spec = HomeSpec.Random(siteId, options.TimeZone, new Random(options.Seed + i));
            var home = new HomeModel(spec, new Random(options.Seed * 7919 + i));
            await api.RegisterSiteAsync(new
            {
                siteId, name = $"Home {i + 1}", timeZone = spec.TimeZoneId, backupReservePct = spec.BackupReservePct, region = options.Region,
                location = new { latitude = spec.Location.LatitudeDeg, longitude = spec.Location.LongitudeDeg },
            }, token);
            var b = spec.Battery;
            var batteryToken = await api.RegisterDeviceAsync(siteId, siteId + "-bat", new
            {
                deviceId = siteId + "-bat", kind = "battery",
                battery = new { capacityKwh = b.Capacity.Kwh, maxChargeKw = b.MaxCharge.Kw, maxDischargeKw = b.MaxDischarge.Kw, roundTripEfficiency = b.RoundTripEfficiency },
            }, token);
            var solarToken = await api.RegisterDeviceAsync(siteId, siteId + "-pv", new { deviceId = siteId + "-pv", kind = "solar", solar = new { ratedKw = spec.PvRated.Kw } }, token);
            var meterToken = await api.RegisterDeviceAsync(siteId, siteId + "-meter", new { deviceId = siteId + "-meter", kind = "meter" }, token);
            homes[i] = (home,
                new DeviceClient(wsUri, siteId + "-bat", batteryToken, (m, c) => OnMessage(home, m, c, token), connectGate),
                new DeviceClient(wsUri, siteId + "-pv", solarToken, (m, c) => OnMessage(home, m, c, token), connectGate),
                new DeviceClient(wsUri, siteId + "-meter", meterToken, (m, c) => OnMessage(home, m, c, token), connectGate));
        });
        Homes.AddRange(homes);
        await output.WriteLineAsync($"registered in {sw.Elapsed.TotalSeconds:0.0} s; connecting devices");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.Duration is { } d) stop.CancelAfter(d);
        var tasks = new List<Task>();
        foreach (var (home, battery, solar, meter) in Homes)
        {
            tasks.Add(battery.RunAsync(stop.Token));
            tasks.Add(solar.RunAsync(stop.Token));
            tasks.Add(meter.RunAsync(stop.Token));
            tasks.Add(HomeLoop(home, battery, solar, meter, stop.Token));
        }
        tasks.Add(SummaryLoop(stop.Token));
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping is the normal end: a home stopped in the middle of a send must not turn the stop into a failure.
        }
    }

    private async Task HomeLoop(HomeModel home, DeviceClient battery, DeviceClient solar, DeviceClient meter, CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(options.IntervalMs);
        // Spread homes over the interval so the server sees a steady stream, not a thundering herd.
        if (!await Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds), ct)) return;
        var last = clock.GetCurrentInstant();
        using var timer = new PeriodicTimer(interval);
        while (await Tick(timer, ct))
        {
            var now = clock.GetCurrentInstant();
            // Safety rule of the protocol: a device that lost its connection falls back to self-consumption.
            if (!battery.Connected) home.ClearSetpoint();
            if (options.FrequencyHz is { } feed) home.FrequencyHz = feed(now);
            if (home.Step(now, now - last) is { } finished)
                await battery.SendAsync(new AckMessage(finished, AckStatus.Completed, null), ct);
            last = now;
            await Send(battery, new TelemetryMessage(++battery.LastSeq, now, home.BatteryPower.Kw, home.Soc.Value, null, null, null), ct);
            await Send(solar, new TelemetryMessage(++solar.LastSeq, now, home.PvPower.Kw, null, home.PvAvailable.Kw, null, null), ct);
            await Send(meter, new TelemetryMessage(++meter.LastSeq, now, 0, null, null, home.Grid.Kw, home.Load.Kw), ct);
        }
    }

    private async Task Send(DeviceClient device, TelemetryMessage message, CancellationToken ct)
    {
        if (await device.SendAsync(message, ct)) Interlocked.Increment(ref _telemetrySent);
    }

    private async Task OnMessage(HomeModel home, ServerMessage message, DeviceClient client, CancellationToken ct)
    {
        switch (message)
        {
            case SetpointMessage sp:
                Interlocked.Increment(ref _setpoints);
                var refusal = home.Refuse(sp);
                if (refusal is null) home.Apply(sp);
                await client.SendAsync(new AckMessage(sp.CommandId, refusal is null ? AckStatus.Accepted : AckStatus.Rejected, refusal), ct);
                break;
            case FrequencyResponseMessage fr:
                home.Apply(fr);
                await client.SendAsync(new AckMessage(fr.CommandId, AckStatus.Accepted, null), ct);
                break;
            case ErrorMessage e:
                Interlocked.Increment(ref _errors);
                await output.WriteLineAsync($"{client.DeviceId}: server error {e.Code}: {e.Message}");
                break;
        }
    }

    private async Task SummaryLoop(CancellationToken ct)
    {
        var lastSent = 0L;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await Tick(timer, ct))
        {
            var connected = Homes.Sum(h => (h.Battery.Connected ? 1 : 0) + (h.Solar.Connected ? 1 : 0) + (h.Meter.Connected ? 1 : 0));
            var sent = TelemetrySent;
            var pv = Homes.Sum(h => h.Home.PvPower.Kw);
            var load = Homes.Sum(h => h.Home.Load.Kw);
            var grid = Homes.Sum(h => h.Home.Grid.Kw);
            var soc = Homes.Count == 0 ? 0 : Homes.Average(h => h.Home.Soc.Value);
            await output.WriteLineAsync(
                $"{clock.GetCurrentInstant():HH':'mm':'ss} devices {connected}/{Homes.Count * 3} connected | telemetry {(sent - lastSent) / 5.0:0}/s | " +
                $"PV {pv:0.0} kW load {load:0.0} kW grid {grid:0.0} kW | mean SoC {soc:0.0} % | setpoints {SetpointsReceived} errors {ErrorsReceived}");
            lastSent = sent;
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private static async Task<bool> Delay(TimeSpan delay, CancellationToken ct)
    {
        try { await Task.Delay(delay, ct); return true; }
        catch (OperationCanceledException) { return false; }
    }
}
