using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Telemetry;
using Vpp.Host.Api;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>Telemetry history through the real gateway into PostgreSQL rollups, bucketed by event time.</summary>
public sealed class HistoryTests(PostgresVppHost host) : IClassFixture<PostgresVppHost>
{
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    private static Instant MinuteNow => Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds() / 60 * 60);

    private async Task<IReadOnlyList<SiteHistoryPoint>> History(string siteId, Instant from, Instant to, string resolution,
        Func<IReadOnlyList<SiteHistoryPoint>, bool> done)
    {
        using var api = host.Api();
        return await Eventually.Until(async () =>
            (await api.GetViewAsync<SiteHistoryView>($"/api/sites/{siteId}/history?from={Iso(from)}&to={Iso(to)}&resolution={resolution}")).Points,
            done);
    }

    private static async Task<long> ReadingsTooLate(HttpClient api) => (await api.GetViewAsync<DiagnosticsView>("/api/diagnostics")).History.ReadingsTooLate;

    [Fact]
    public async Task Out_of_order_and_late_readings_land_in_their_buckets_and_too_late_ones_are_dropped_and_counted()
    {
        var tokens = await host.RegisterHomeAsync("late-home");
        using var api = host.Api();
        var tooLateBefore = await ReadingsTooLate(api);
        var t = MinuteNow - Duration.FromMinutes(40);

        await using var battery = await host.ConnectAsync(tokens["late-home-bat"]);
        await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Iso(t + Duration.FromMinutes(20)), powerKw = 2.0, socPct = 50.0 });
        // 5 minutes behind the device's newest: within the allowed 10 minutes, out of order.
        await battery.SendJsonAsync(new { type = "telemetry", seq = 2, ts = Iso(t + Duration.FromMinutes(15) + Duration.FromSeconds(30)), powerKw = -3.0, socPct = 55.0 });
        // 15 minutes behind: too late.
        await battery.SendJsonAsync(new { type = "telemetry", seq = 3, ts = Iso(t + Duration.FromMinutes(5)), powerKw = 4.0, socPct = 40.0 });
        // Same minute as the first, arriving later with an earlier ts: the bucket's SoC stays the newest ts's.
        await battery.SendJsonAsync(new { type = "telemetry", seq = 4, ts = Iso(t + Duration.FromMinutes(20) - Duration.FromSeconds(0)), powerKw = 2.0, socPct = 49.0 });
        await battery.SendJsonAsync(new { type = "telemetry", seq = 5, ts = Iso(t + Duration.FromMinutes(20) + Duration.FromSeconds(40)), powerKw = 4.0, socPct = 51.0 });

        var points = await History("late-home", t, t + Duration.FromMinutes(30), "1m", p => p.Count >= 2 && p[^1].Battery.MeanKw > 2.5);
        points.Select(p => p.Start).Should().Equal(t + Duration.FromMinutes(15), t + Duration.FromMinutes(20));
        points[0].Battery.MeanKw.Should().Be(-3);
        points[0].Battery.NegativeKwh.Should().BeApproximately(3 * 10 / 3600.0, 1e-9, "one 10-second reading at 3 kW charging");
        points[1].Battery.MeanKw.Should().BeApproximately(8.0 / 3, 1e-9);
        points[1].Battery.MaxKw.Should().Be(4);
        points[1].SocPctEnd.Should().Be(51);

        var tooLate = await ReadingsTooLate(api);
        (tooLate - tooLateBefore).Should().Be(1);
    }

    [Fact]
    public async Task A_backfill_of_an_hour_after_reconnecting_gives_the_same_history_as_in_order_delivery()
    {
        var live = await host.RegisterHomeAsync("live-home");
        var back = await host.RegisterHomeAsync("back-home");
        // An hour of readings every 10 s, all older than now − 10 min: an arrival-time rule would drop them.
        var start = Vpp.Domain.Telemetry.TelemetryBuckets.Floor(MinuteNow - Duration.FromMinutes(75), Duration.FromHours(1));
        var readings = Enumerable.Range(0, 360).Select(i => new
        {
            Seq = i + 1,
            Ts = start + Duration.FromSeconds(10 * i),
            PowerKw = Math.Round(4 * Math.Sin(i / 20.0), 3),
            SocPct = 50 + 20 * Math.Sin(i / 50.0),
        }).ToList();
        object Message(dynamic r) => new { type = "telemetry", seq = r.Seq, ts = Iso(r.Ts), powerKw = r.PowerKw, socPct = r.SocPct };

        await using (var device = await host.ConnectAsync(live["live-home-bat"]))
            foreach (var r in readings) await device.SendJsonAsync(Message(r));

        // The backfilling device sends its first reading, drops off for the hour, then uploads its buffer.
        await using (var device = await host.ConnectAsync(back["back-home-bat"]))
            await device.SendJsonAsync(Message(readings[0]));
        await using (var device = await host.ConnectAsync(back["back-home-bat"]))
        {
            device.Welcome.LastSeq.Should().Be(1);
            foreach (var r in readings.Skip(1)) await device.SendJsonAsync(Message(r));
        }

        var end = start + Duration.FromHours(1);
        var expectedDischargeKwh = readings.Sum(r => Math.Max(r.PowerKw, 0)) * 10 / 3600;
        foreach (var resolution in new[] { "1m", "15m", "1h" })
        {
            var a = await History("live-home", start, end, resolution, p => p.Sum(x => x.Battery.PositiveKwh) >= expectedDischargeKwh - 1e-9);
            var b = await History("back-home", start, end, resolution, p => p.Sum(x => x.Battery.PositiveKwh) >= expectedDischargeKwh - 1e-9);
            a.Count.Should().Be(resolution switch { "1m" => 60, "15m" => 4, _ => 1 });
            b.Should().Equal(a, $"backfill and in-order delivery agree at {resolution}");
            a.Sum(x => x.Battery.PositiveKwh).Should().BeApproximately(expectedDischargeKwh, 1e-9);
        }
        var hour = (await History("back-home", start, end, "1h", _ => true)).Single();
        hour.SocPctEnd.Should().NotBeNull().And.BeApproximately(readings[^1].SocPct, 1e-9);
    }
}
