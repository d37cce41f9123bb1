using NodaTime;
using NodaTime.Text;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>
/// A home's last 24 hours replayed in order (one reading a minute per device, event time in the past;
/// the host must tell devices a 60 s telemetry interval so each reading stands for its minute), then
/// live readings every second: PV by day, battery charging from surplus and covering
/// the evening, the meter showing what is left. Physically consistent: grid = load − PV − battery.
/// </summary>
public sealed class SyntheticDay : IAsyncDisposable
{
    private readonly DeviceSocket[] _sockets;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _live;
    private long _seq;

    private SyntheticDay(DeviceSocket[] sockets, Func<Instant, long, Task> send)
    {
        _sockets = sockets;
        _live = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await send(SystemClock.Instance.GetCurrentInstant(), Interlocked.Increment(ref _seq));
                try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public static async Task<SyntheticDay> PlayAsync(VppHost host, IReadOnlyDictionary<string, string> tokens, string siteId)
    {
        var bat = await host.ConnectAsync(tokens[siteId + "-bat"]);
        var pv = await host.ConnectAsync(tokens[siteId + "-pv"]);
        var meter = await host.ConnectAsync(tokens[siteId + "-meter"]);
        var soc = 40.0;
        long seq = 0;
        async Task Send(Instant t, long s)
        {
            var hour = t.InZone(DateTimeZoneProviders.Tzdb["Europe/Berlin"]).TimeOfDay.TickOfDay / (double)NodaConstants.TicksPerHour;
            var pvKw = Math.Max(0, 5.5 * Math.Sin(Math.PI * (hour - 6) / 14));
            var loadKw = 0.4 + (hour is > 6 and < 9 ? 1.2 : 0) + (hour is > 17 and < 22 ? 1.8 : 0);
            var batteryKw = soc < 95 && pvKw > loadKw ? -Math.Min(4, pvKw - loadKw) : soc > 25 && loadKw > pvKw ? Math.Min(4, loadKw - pvKw) : 0;
            soc = Math.Clamp(soc - batteryKw / 60 / 10 * 100 * 0.95, 0, 100); // 10 kWh battery, one minute

            var ts = InstantPattern.ExtendedIso.Format(t);
            await bat.SendJsonAsync(new { type = "telemetry", seq = s, ts, powerKw = Math.Round(batteryKw, 3), socPct = Math.Round(soc, 1) });
            await pv.SendJsonAsync(new { type = "telemetry", seq = s, ts, powerKw = Math.Round(pvKw, 3), availableKw = Math.Round(pvKw, 3) });
            await meter.SendJsonAsync(new { type = "telemetry", seq = s, ts, powerKw = 0.0, gridKw = Math.Round(loadKw - pvKw - batteryKw, 3), loadKw });
        }
        var now = SystemClock.Instance.GetCurrentInstant();
        for (var t = now - Duration.FromHours(24); t < now - Duration.FromMinutes(1); t += Duration.FromMinutes(1)) await Send(t, ++seq);
        return new SyntheticDay([bat, pv, meter], (t, _) => Send(t, Interlocked.Increment(ref seq)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _live;
        foreach (var s in _sockets) await s.DisposeAsync();
    }
}
