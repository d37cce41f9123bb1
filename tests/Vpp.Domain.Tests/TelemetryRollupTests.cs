using FsCheck;
using FsCheck.Xunit;
using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Domain.Tests;

public class TelemetryRollupTests
{
    private static readonly Instant Minute0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);

    private static DeviceMinuteRollup Battery(Instant ts) =>
        DeviceMinuteRollup.Start("s", "bat", SiteFlow.Battery, ts, Second, 10);

    [Fact]
    public void Seven_days_of_minutes_are_168_hourly_points_on_whole_hours_with_each_hours_energy()
    {
        // One reading a minute at 2 kW for 7 days (from 12:00 UTC, so the week starts and ends mid-day).
        var minute = Duration.FromMinutes(1);
        var rows = Enumerable.Range(0, 7 * 24 * 60).Select(m =>
        {
            var start = Minute0 + minute * m;
            return DeviceMinuteRollup.Start("s", "bat", SiteFlow.Battery, start, minute, 10).Add(start, 2, null, 50);
        }).ToList();

        var hours = SiteHistory.Build(rows, HistoryResolution.Hour);

        hours.Should().HaveCount(168);
        hours.Select(h => h.Start).Should().Equal(Enumerable.Range(0, 168).Select(h => Minute0 + Duration.FromHours(h)));
        hours.Should().OnlyContain(h => Math.Abs(h.Battery.PositiveKwh - 2) < 1e-9 && h.Battery.MeanKw == 2, "2 kW for an hour is 2 kWh");
    }

    [Fact]
    public void A_minute_of_3_kW_at_1_s_readings_is_0_05_kWh()
    {
        var r = Battery(Minute0);
        for (var i = 0; i < 60; i++) r = r.Add(Minute0 + Second * i, 3, null, 50);
        var (pos, neg) = r.Power.EnergyKwh(Second);
        pos.Should().BeApproximately(3.0 / 60, 1e-12); // 3 kW × 1/60 h
        neg.Should().Be(0);
        r.Power.MeanKw.Should().Be(3);
    }

    [Fact]
    public void A_device_reporting_twice_as_often_as_asked_is_not_counted_twice()
    {
        var r = Battery(Minute0);
        for (var i = 0; i < 120; i++) r = r.Add(Minute0 + Duration.FromMilliseconds(500 * i), -4, null, 50);
        r.Power.EnergyKwh(Second).NegativeKwh.Should().BeApproximately(4.0 / 60, 1e-12, "one minute at 4 kW charging, whatever the count");
    }

    [Fact]
    public void Missing_readings_add_no_energy()
    {
        var r = Battery(Minute0);
        for (var i = 0; i < 30; i++) r = r.Add(Minute0 + Second * i, 6, null, 50);
        r.Power.EnergyKwh(Second).PositiveKwh.Should().BeApproximately(6.0 * 30 / 3600, 1e-12);
    }

    [Fact]
    public void Soc_at_end_is_the_latest_event_time_not_the_latest_arrival()
    {
        var r = Battery(Minute0).Add(Minute0 + Second * 50, 1, null, 61).Add(Minute0 + Second * 10, 1, null, 60);
        r.SocPctEnd.Should().Be(61);
        r.SocAt.Should().Be(Minute0 + Second * 50);
    }

    [Fact]
    public void Buckets_are_utc_minutes_and_floor_before_1970_too()
    {
        TelemetryBuckets.MinuteOf(Minute0 + Duration.FromSeconds(59.999)).Should().Be(Minute0);
        TelemetryBuckets.MinuteOf(Instant.FromUtc(1969, 12, 31, 23, 59, 30)).Should().Be(Instant.FromUtc(1969, 12, 31, 23, 59));
        TelemetryBuckets.Floor(Minute0 + Duration.FromMinutes(29), Duration.FromMinutes(15)).Should().Be(Minute0 + Duration.FromMinutes(15));
    }

    /// <summary>Any split of the readings into partial rollups, merged in any order, equals adding them one by one.</summary>
    [Property(MaxTest = 300)]
    public bool Merging_partial_rollups_in_any_order_equals_in_order_delivery(NormalFloat[] powers, int seed)
    {
        var readings = powers.Take(60).Select((p, i) => (Ts: Minute0 + Second * i, Kw: p.Get % 50, Soc: (double)i)).ToList();
        if (readings.Count == 0) return true;
        var inOrder = readings.Aggregate(Battery(Minute0), (r, x) => r.Add(x.Ts, x.Kw, null, x.Soc));

        var rng = new Random(seed);
        var shuffled = readings.OrderBy(_ => rng.Next()).ToList();
        var parts = shuffled.Chunk(Math.Max(1, rng.Next(1, 8)))
            .Select(chunk => chunk.Aggregate(Battery(Minute0), (r, x) => r.Add(x.Ts, x.Kw, null, x.Soc)))
            .OrderBy(_ => rng.Next()).ToList();
        var merged = parts.Skip(1).Aggregate(parts[0], (a, b) => a.Merge(b));

        return merged.Power.Count == inOrder.Power.Count
               && Math.Abs(merged.Power.SumKw - inOrder.Power.SumKw) < 1e-9
               && merged.Power.MinKw == inOrder.Power.MinKw && merged.Power.MaxKw == inOrder.Power.MaxKw
               && Math.Abs(merged.Power.SumPositiveKw - inOrder.Power.SumPositiveKw) < 1e-9
               && Math.Abs(merged.Power.SumNegativeKw - inOrder.Power.SumNegativeKw) < 1e-9
               && merged.SocPctEnd == inOrder.SocPctEnd && merged.SocAt == inOrder.SocAt;
    }

    [Fact]
    public void Lateness_is_measured_against_the_device_watermark_and_backfill_against_the_horizon()
    {
        var policy = new LatenessPolicy(Duration.FromMinutes(10), Duration.FromDays(7));
        var now = Minute0;
        var watermark = now - Duration.FromMinutes(1);
        policy.Classify(watermark - Duration.FromMinutes(9), watermark, now).Should().Be(ReadingTiming.Accepted);
        policy.Classify(watermark - Duration.FromMinutes(11), watermark, now).Should().Be(ReadingTiming.TooLate);
        // A device back from an hour offline uploads its buffer: older than now − 10 min, but newer than its watermark.
        var backfillWatermark = now - Duration.FromHours(1);
        policy.Classify(now - Duration.FromMinutes(50), backfillWatermark, now).Should().Be(ReadingTiming.Accepted);
        policy.Classify(now - Duration.FromDays(8), null, now).Should().Be(ReadingTiming.BeyondBackfill);
    }

    [Fact]
    public void Site_history_sums_devices_derives_load_and_weights_soc_by_capacity()
    {
        var rows = new List<DeviceMinuteRollup>();
        for (var m = 0; m < 15; m++)
        {
            var start = Minute0 + Duration.FromMinutes(m);
            DeviceMinuteRollup Fill(DeviceMinuteRollup r, double kw, double? soc)
            {
                for (var i = 0; i < 60; i++) r = r.Add(start + Second * i, kw, null, soc);
                return r;
            }
            rows.Add(Fill(DeviceMinuteRollup.Start("s", "pv", SiteFlow.Pv, start, Second, null), 4, null));
            rows.Add(Fill(DeviceMinuteRollup.Start("s", "b1", SiteFlow.Battery, start, Second, 10), -1, 40 + m));
            rows.Add(Fill(DeviceMinuteRollup.Start("s", "b2", SiteFlow.Battery, start, Second, 30), -1, 80));
            rows.Add(Fill(DeviceMinuteRollup.Start("s", "meter", SiteFlow.Grid, start, Second, null), -1.5, null));
        }

        var minutes = SiteHistory.Build(rows, HistoryResolution.Minute);
        minutes.Should().HaveCount(15);
        var quarter = SiteHistory.Build(rows, HistoryResolution.QuarterHour).Should().ContainSingle().Subject;
        quarter.Start.Should().Be(Minute0);
        quarter.Pv.MeanKw.Should().BeApproximately(4, 1e-9);
        quarter.Pv.PositiveKwh.Should().BeApproximately(1.0, 1e-9);          // 4 kW × 0.25 h
        quarter.Battery.MeanKw.Should().BeApproximately(-2, 1e-9);           // two batteries charging at 1 kW
        quarter.Battery.NegativeKwh.Should().BeApproximately(0.5, 1e-9);
        quarter.Grid.NegativeKwh.Should().BeApproximately(0.375, 1e-9);      // export 1.5 kW × 0.25 h
        quarter.Load.MeanKw.Should().BeApproximately(0.5, 1e-9);             // 4 − 2 − 1.5
        quarter.Load.PositiveKwh.Should().BeApproximately(0.125, 1e-9);
        quarter.Load.MinKw.Should().BeNull("no meter reported load, so its extremes are unknown");
        quarter.SocPctEnd.Should().BeApproximately((54 * 10 + 80 * 30) / 40.0, 1e-9);
        SiteHistory.Build([], HistoryResolution.Hour).Should().BeEmpty();
    }
}
