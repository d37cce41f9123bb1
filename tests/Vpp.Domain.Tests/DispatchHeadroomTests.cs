using FsCheck;
using FsCheck.Xunit;
using NodaTime;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class DispatchHeadroomTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 17, 0);
    private static readonly Instant T1 = T0 + Duration.FromHours(1);

    private static BatteryCapability Battery(string id, double nowKw, double upKwh = 100, double downKwh = 100, double max = 5) =>
        new(id, new Power(nowKw), new Power(max), new Power(max), new Energy(upKwh), new Energy(downKwh));

    private static SiteCapability Site(params BatteryCapability[] batteries) =>
        new("s", batteries, new Power(1), [], true, null, new HashSet<string>(), T0);

    [Fact]
    public void Up_is_measured_from_what_the_battery_does_now()
    {
        // Discharging 1 kW of a 5 kW inverter: 4 kW more; charging 2 kW: stopping the charge adds 2 kW, so 7.
        DispatchHeadroom.Of(Site(Battery("b", 1)), DispatchDirection.Up, "e", T0, T1).Power.Kw.Should().Be(4);
        DispatchHeadroom.Of(Site(Battery("b", -2)), DispatchDirection.Up, "e", T0, T1).Power.Kw.Should().Be(7);
        DispatchHeadroom.Of(Site(Battery("b", -2)), DispatchDirection.Down, "e", T0, T1).Power.Kw.Should().Be(3);
    }

    [Fact]
    public void Energy_above_the_reserve_limits_what_can_be_sustained_for_the_window()
    {
        // 3 kWh above reserve, already discharging 1 kW for the hour: only 2 kW more can be held for the hour.
        var h = DispatchHeadroom.Of(Site(Battery("b", 1, upKwh: 3)), DispatchDirection.Up, "e", T0, T1);
        h.Power.Kw.Should().BeApproximately(2, 1e-9);
        // At the reserve and idle: nothing up, full charge power down.
        DispatchHeadroom.Of(Site(Battery("b", 0, upKwh: 0)), DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero);
        DispatchHeadroom.Of(Site(Battery("b", 0, upKwh: 0)), DispatchDirection.Down, "e", T0, T1).Power.Kw.Should().Be(5);
    }

    [Fact]
    public void The_envelope_caps_the_site_and_a_zero_envelope_allows_nothing_that_way()
    {
        var site = Site(Battery("b", 0)) with
        {
            Grid = new Power(1), // importing 1 kW
            Envelopes = [new EnvelopeLimit(new Power(2), new Power(0.5), T0, T1)],
        };
        DispatchHeadroom.Of(site, DispatchDirection.Up, "e", T0, T1).Power.Kw.Should().BeApproximately(1.5, 1e-9);   // to 0.5 kW export
        DispatchHeadroom.Of(site, DispatchDirection.Down, "e", T0, T1).Power.Kw.Should().BeApproximately(1, 1e-9);   // to 2 kW import
        var zero = site with { Grid = Power.Zero, Envelopes = [new EnvelopeLimit(Power.Zero, Power.Zero, T0, T1)] };
        DispatchHeadroom.Of(zero, DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero);
    }

    [Fact]
    public void Opt_out_override_and_non_participation_give_nothing()
    {
        var site = Site(Battery("b", 0));
        DispatchHeadroom.Of(site with { Participating = false }, DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero);
        DispatchHeadroom.Of(site with { OptedOutOf = new HashSet<string> { "e" } }, DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero);
        DispatchHeadroom.Of(site with { OptedOutOf = new HashSet<string> { "other" } }, DispatchDirection.Up, "e", T0, T1).Power.Kw.Should().Be(5);
        DispatchHeadroom.Of(site with { ManualOverrideUntil = T0 + Duration.FromMinutes(1) }, DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero);
        DispatchHeadroom.Of(site with { ManualOverrideUntil = T0 }, DispatchDirection.Up, "e", T0, T1).Power.Kw.Should().Be(5, "the override has ended");
        DispatchHeadroom.Of(Site(), DispatchDirection.Up, "e", T0, T1).Power.Should().Be(Power.Zero, "no live battery");
    }

    [Fact]
    public void A_site_share_is_split_over_its_batteries_on_top_of_what_each_does_now()
    {
        // By hand: a (1 kW now) can add 4 kW and has 100 − 1 = 99 kWh for the hour; b (−1 kW) 6 kW and 101 kWh.
        // 4 kW shared by energy: a 4·99/200 = 1.98, b 4·101/200 = 2.02, each on top of what it does now.
        var setpoints = DispatchHeadroom.Setpoints([Battery("a", 1), Battery("b", -1)], DispatchDirection.Up, new Power(4), Duration.FromHours(1));
        setpoints.Select(s => s.DeviceId).Should().Equal("a", "b");
        setpoints[0].Setpoint.Kw.Should().BeApproximately(1 + 1.98, 1e-9);
        setpoints[1].Setpoint.Kw.Should().BeApproximately(-1 + 2.02, 1e-9);

        // 9 kW: a's share 9·99/200 = 4.455 is capped at its 4 kW, the 0.455 left goes to b (4.545 + 0.455 = 5).
        var capped = DispatchHeadroom.Setpoints([Battery("a", 1), Battery("b", -1)], DispatchDirection.Up, new Power(9), Duration.FromHours(1));
        capped[0].Setpoint.Kw.Should().BeApproximately(5, 1e-9, "a runs at its 5 kW limit");
        capped[1].Setpoint.Kw.Should().BeApproximately(-1 + 5, 1e-9);
    }

    /// <summary>
    /// Over random fleets and requests, end to end through the domain: headroom → allocation →
    /// battery setpoints. No battery goes past its limits, below its reserve over the window, above
    /// full, or takes its site outside its envelope; opted-out sites get nothing.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool No_setpoint_breaks_a_limit_a_reserve_or_an_envelope(int seed, bool up, PositiveInt minutes, NormalFloat request)
    {
        var rng = new Random(seed);
        var window = Duration.FromMinutes(minutes.Get % 240 + 1);
        var direction = up ? DispatchDirection.Up : DispatchDirection.Down;
        var generated = new Dictionary<string, (bool Allowed, EnvelopeLimit? Envelope)>();
        var sites = Enumerable.Range(0, rng.Next(0, 30)).Select(i =>
        {
            var batteries = Enumerable.Range(0, rng.Next(0, 3)).Select(j =>
            {
                var max = 1 + rng.NextDouble() * 9;
                return new BatteryCapability($"s{i}b{j}", new Power((rng.NextDouble() * 2 - 1) * max), new Power(max), new Power(max),
                    new Energy(rng.NextDouble() * 10), new Energy(rng.NextDouble() * 10));
            }).ToList();
            var envelope = rng.Next(3) == 0 ? new EnvelopeLimit(new Power(rng.NextDouble() * 5), new Power(rng.NextDouble() * 5), T0, T0 + window) : null;
            var participating = rng.Next(5) > 0;
            var optedOut = rng.Next(6) == 0;
            // The oracle below uses what was generated here, not the production code's own reading of it.
            generated[$"s{i}"] = (participating && !optedOut, envelope);
            return new SiteCapability($"s{i}", batteries, new Power(rng.NextDouble() * 8 - 4), envelope is null ? [] : [envelope], participating, null,
                optedOut ? new HashSet<string> { "e" } : new HashSet<string>(), T0);
        }).ToList();

        var headroom = sites.Select(s => DispatchHeadroom.Of(s, direction, "e", T0, T0 + window)).ToList();
        var result = DispatchAllocation.Allocate(new Power(Math.Abs(request.Get) % 300), window, headroom);
        var hours = window.TotalHours;
        foreach (var share in result.Sites)
        {
            var site = sites.Single(s => s.SiteId == share.SiteId);
            if (!generated[site.SiteId].Allowed) return false;
            var setpoints = DispatchHeadroom.Setpoints(site.Batteries, direction, share.Power, window);
            var delta = 0.0;
            foreach (var (id, sp) in setpoints)
            {
                var b = site.Batteries.Single(x => x.DeviceId == id);
                delta += sp.Kw - b.Now.Kw;
                if (sp.Kw > b.MaxDischarge.Kw + 1e-9 || sp.Kw < -b.MaxCharge.Kw - 1e-9) return false;
                // Over the window the battery may only move the energy the dispatch asked of it beyond what it was doing.
                if (direction == DispatchDirection.Up && sp.Kw > b.Now.Kw + 1e-9 && sp.Kw * hours > Math.Max(b.UpEnergy.Kwh, b.Now.Kw * hours) + 1e-6) return false;
                if (direction == DispatchDirection.Down && sp.Kw < b.Now.Kw - 1e-9 && -sp.Kw * hours > Math.Max(b.DownEnergy.Kwh, -b.Now.Kw * hours) + 1e-6) return false;
            }
            if (Math.Abs(Math.Abs(delta) - share.Power.Kw) > 1e-6) return false;
            if (generated[site.SiteId].Envelope is { } env)
            {
                var grid = site.Grid.Kw - delta; // more out of the home = less import
                if (direction == DispatchDirection.Up && grid < -env.Export.Kw - 1e-6 && delta > 1e-9) return false;
                if (direction == DispatchDirection.Down && grid > env.Import.Kw + 1e-6 && delta < -1e-9) return false;
            }
        }
        return true;
    }
}

public class PowerTraceTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 17, 0);
    private static Instant S(double seconds) => T0 + Duration.FromMilliseconds(seconds * 1000);
    private static PowerTrace Trace() => new(Duration.FromSeconds(5), Duration.FromMinutes(10), Duration.FromSeconds(30));

    [Fact]
    public void The_mean_weights_each_value_by_how_long_it_held()
    {
        var t = Trace();
        t.Add(S(0), new Power(2));
        t.Add(S(10), new Power(-1));   // 2 kW for 10 s
        t.Add(S(40), new Power(-1));   // −1 kW for 30 s
        t.Mean(S(0), S(40), S(40))!.Value.Kw.Should().BeApproximately((2 * 10 - 1 * 30) / 40.0, 1e-9);
        t.Mean(S(10), S(40), S(40))!.Value.Kw.Should().BeApproximately(-1, 1e-9);
    }

    [Fact]
    public void The_latest_value_counts_as_held_until_now_but_a_long_gap_is_unknown()
    {
        var t = Trace();
        t.Add(S(0), new Power(3));
        t.Mean(S(0), S(20), S(20))!.Value.Kw.Should().Be(3);
        t.Mean(S(100), S(120), S(120)).Should().BeNull("nothing was heard for longer than the gap limit");
        t.Add(S(200), new Power(1));
        t.Add(S(205), new Power(1));
        t.Mean(S(0), S(205), S(205))!.Value.Kw.Should().BeApproximately((3 * 30 + 1 * 5) / 35.0, 1e-9, "only the known 35 s count");
    }

    [Fact]
    public void Old_readings_are_ignored_and_memory_is_bounded_by_retention()
    {
        var t = Trace();
        t.Add(S(0), new Power(1));
        t.Add(S(5), new Power(1));
        t.Add(S(3), new Power(100));   // older than the latest: ignored
        t.Add(S(10), new Power(double.NaN)); // not finite: ignored
        for (var s = 10; s <= 1200; s += 5) t.Add(S(s), new Power(2));
        t.Mean(S(0), S(10), S(1200)).Should().BeNull("beyond the 10-minute retention");
        t.Mean(S(1100), S(1200), S(1200))!.Value.Kw.Should().BeApproximately(2, 1e-9);
    }

    // Edges, each by hand (5 s buckets, 10 min retention, 30 s gap limit).
    [Fact]
    public void A_bucket_cut_by_the_window_counts_in_proportion()
    {
        var t = Trace();
        t.Add(S(0), new Power(2));
        t.Add(S(5), new Power(6));
        t.Add(S(10), new Power(6));
        // 1 s of the 2 kW bucket and all 5 s of the 6 kW one: (2·1 + 6·5) / 6.
        t.Mean(S(4), S(10), S(10))!.Value.Kw.Should().BeApproximately(32 / 6.0, 1e-9);
        // A window ending inside a bucket takes its share of it: (2·5 + 6·2.5) / 7.5.
        t.Mean(S(0), S(7.5), S(10))!.Value.Kw.Should().BeApproximately(25 / 7.5, 1e-9);
    }

    [Fact]
    public void A_reading_in_the_middle_of_a_bucket_is_integrated_up_to_it()
    {
        var t = Trace();
        t.Add(S(0), new Power(2));
        t.Add(S(7.5), new Power(6));
        t.Mean(S(5), S(7.5), S(7.5))!.Value.Kw.Should().BeApproximately(2, 1e-9, "2 kW held until the next reading at 7.5 s");
        // And no further: 2 kW for 2.5 s, then the 6 kW reading held 2.5 s until now.
        t.Mean(S(5), S(10), S(10))!.Value.Kw.Should().BeApproximately((2 * 2.5 + 6 * 2.5) / 5, 1e-9);
    }

    [Fact]
    public void A_second_reading_at_the_same_instant_replaces_the_first_and_a_non_finite_one_is_ignored()
    {
        var t = Trace();
        t.Add(S(0), new Power(1));
        t.Add(S(0), new Power(5));
        t.Add(S(5), new Power(double.NaN));
        t.Mean(S(0), S(10), S(10))!.Value.Kw.Should().Be(5);
    }

    [Fact]
    public void An_empty_window_has_no_mean()
    {
        var t = Trace();
        t.Add(S(0), new Power(1));
        t.Add(S(10), new Power(1));
        t.Mean(S(5), S(5), S(10)).Should().BeNull();
        t.Mean(S(6), S(5), S(10)).Should().BeNull();
    }

    [Fact]
    public void The_whole_retention_is_kept_back_to_its_oldest_bucket()
    {
        var t = Trace();
        t.Add(S(0), new Power(7));
        for (var s = 5; s <= 600; s += 5) t.Add(S(s), new Power(1));
        t.Add(S(602.5), new Power(1));
        t.Mean(S(2.5), S(5), S(602.5))!.Value.Kw.Should().Be(7, "ten minutes back is still within the retention");
    }

    [Fact]
    public void A_bucket_must_be_longer_than_zero_and_fit_in_the_retention()
    {
        var zero = () => new PowerTrace(Duration.Zero, Duration.FromMinutes(10), Duration.FromSeconds(30));
        zero.Should().Throw<ArgumentOutOfRangeException>();
        var longer = () => new PowerTrace(Duration.FromMinutes(11), Duration.FromMinutes(10), Duration.FromSeconds(30));
        longer.Should().Throw<ArgumentOutOfRangeException>();
        new PowerTrace(Duration.FromMinutes(10), Duration.FromMinutes(10), Duration.FromSeconds(30)).Mean(T0, T0 + Duration.FromSeconds(1), T0).Should().BeNull();
    }
}

/// <summary>Headroom over windows other than an hour (where kW and kWh are the same number), by hand.</summary>
public class DispatchHeadroomWindowTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 17, 0);
    private static readonly Instant HalfHour = T0 + Duration.FromMinutes(30);

    private static SiteCapability Site(params BatteryCapability[] batteries) =>
        new("s", batteries, Power.Zero, [], true, null, new HashSet<string>(), T0);

    [Fact]
    public void Up_over_half_an_hour_is_limited_by_the_energy_left_after_what_the_battery_already_does()
    {
        // Discharging 1 kW of 5 with 2 kWh above the reserve: 1 kW for 30 min uses 0.5 kWh, leaving 1.5 kWh,
        // which holds 3 kW more for the half hour.
        var h = DispatchHeadroom.Of(Site(new BatteryCapability("b", new Power(1), new Power(5), new Power(5), new Energy(2), new Energy(10))),
            DispatchDirection.Up, "e", T0, HalfHour);
        h.Power.Kw.Should().BeApproximately(3, 1e-9);
        h.Energy.Kwh.Should().BeApproximately(1.5, 1e-9);
    }

    [Fact]
    public void Down_over_half_an_hour_counts_the_charge_already_running()
    {
        // Charging 1 kW of 5 with 2 kWh of room: 0.5 kWh of it is taken by the running charge, 1.5 kWh hold 3 kW more.
        var h = DispatchHeadroom.Of(Site(new BatteryCapability("b", new Power(-1), new Power(5), new Power(5), new Energy(10), new Energy(2))),
            DispatchDirection.Down, "e", T0, HalfHour);
        h.Power.Kw.Should().BeApproximately(3, 1e-9);
    }

    [Fact]
    public void A_power_limited_battery_offers_only_the_energy_its_power_moves_in_the_window()
    {
        // 2 kW inverter with 10 kWh above the reserve: 2 kW for 30 min is 1 kWh.
        var h = DispatchHeadroom.Of(Site(new BatteryCapability("b", Power.Zero, new Power(2), new Power(2), new Energy(10), new Energy(10))),
            DispatchDirection.Up, "e", T0, HalfHour);
        h.Power.Kw.Should().Be(2);
        h.Energy.Kwh.Should().BeApproximately(1, 1e-9);
    }

    [Fact]
    public void A_window_that_does_not_end_after_it_starts_is_refused()
    {
        var act = () => DispatchHeadroom.Of(Site(), DispatchDirection.Up, "e", T0, T0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The window must end after it starts.*");
    }
}

public class FrequencyReserveOptOutTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 17, 0);

    [Fact]
    public void A_home_opted_out_of_frequency_response_holds_nothing_and_one_opted_out_of_another_event_does()
    {
        SiteCapability Site(string id, string optedOutOf) => new(id, [new BatteryCapability(id + "-b", Power.Zero, new Power(5), new Power(5), new Energy(10), new Energy(10))],
            Power.Zero, [], true, null, new HashSet<string> { optedOutOf }, T0);
        var sites = new[] { Site("out", "frequency-response"), Site("in", "dispatch-42") };

        FrequencyReserve.Capacity(sites, T0, T0 + Duration.FromHours(4)).Kw.Should().Be(5);
        var assigned = FrequencyReserve.Assign(new Power(8), sites, T0, T0 + Duration.FromHours(4));
        assigned.Keys.Should().Equal("in-b");
        assigned["in-b"].Kw.Should().Be(5);
    }
}
