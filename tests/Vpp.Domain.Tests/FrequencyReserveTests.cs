using FsCheck;
using FsCheck.Xunit;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class FrequencyReserveTests
{
    private static BatteryCapability B(string id, double max, double upKwh, double downKwh) =>
        new(id, Power.Zero, new Power(max), new Power(max), new Energy(upKwh), new Energy(downKwh));

    [Fact]
    public void A_commitment_must_last_fifteen_minutes_both_ways()
    {
        FrequencyReserve.Sustainable(B("a", 5, 10, 10)).Kw.Should().Be(5, "inverter-limited");
        FrequencyReserve.Sustainable(B("a", 5, 0.5, 10)).Kw.Should().BeApproximately(2, 1e-9, "0.5 kWh above the reserve lasts 15 min at 2 kW");
        FrequencyReserve.Sustainable(B("a", 5, 10, 0)).Should().Be(Power.Zero, "a full battery cannot absorb anything");
    }

    [Fact]
    public void The_region_commitment_is_shared_by_capability_and_held_back_from_dispatch()
    {
        var result = FrequencyReserve.Assign(new Power(6), [B("a", 5, 10, 10), B("b", 5, 0.25, 10)]);   // b sustains 1 kW
        result.Accepted.Kw.Should().Be(6);
        result.Sites.Single(s => s.SiteId == "b").Power.Kw.Should().BeLessThanOrEqualTo(1 + 1e-9);
        FrequencyReserve.Assign(new Power(100), [B("a", 5, 10, 10)]).Accepted.Kw.Should().Be(5);

        var held = FrequencyReserve.Hold(B("a", 5, 10, 10), new Power(2));
        held.MaxDischarge.Kw.Should().Be(3);
        held.MaxCharge.Kw.Should().Be(3);
        held.UpEnergy.Kwh.Should().BeApproximately(9.5, 1e-9);
        held.DownEnergy.Kwh.Should().BeApproximately(9.5, 1e-9);
    }

    [Fact]
    public void The_soc_window_leaves_fifteen_minutes_each_way_and_restoration_moves_towards_it()
    {
        var spec = new BatterySpec(new Energy(10), new Power(5), new Power(5), 0.81);   // 90 % each way
        var window = FrequencyReserve.SocWindow(spec, new Percent(20), new Power(2))!.Value;
        window.Low.Value.Should().BeApproximately(20 + 2 * 0.25 / 0.9 / 10 * 100, 1e-9);
        window.High.Value.Should().BeApproximately(100 - 2 * 0.25 * 0.9 / 10 * 100, 1e-9);
        FrequencyReserve.SocWindow(spec, new Percent(20), new Power(20)).Should().BeNull("too small for the commitment");

        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), new Power(2))!.Value.Kw.Should().Be(-3, "charge with the 3 kW left free");
        SocRestoration.Setpoint(spec, new Percent(99), new Percent(20), new Power(2))!.Value.Kw.Should().Be(3);
        SocRestoration.Setpoint(spec, new Percent(60), new Percent(20), new Power(2)).Should().BeNull();
        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), Power.Zero).Should().BeNull("not committed");
    }

    [Theory]
    // Hz, seconds since the reading, quiet? (deadband ±10 mHz around 50 Hz; readings go stale after 10 s)
    [InlineData(50.0, 0, true)]
    [InlineData(49.99, 0, true)]        // on the deadband's edge
    [InlineData(50.01, 0, true)]
    [InlineData(49.98, 0, false)]       // an under-frequency excursion
    [InlineData(50.2, 0, false)]        // an over-frequency one
    [InlineData(49.8, 10, false)]       // still in force at exactly the validity
    [InlineData(49.8, 11, true)]        // the signal stopped: the excursion it described is over
    public void Soc_restoration_waits_for_a_quiet_grid(double hz, int ageSeconds, bool quiet) =>
        SocRestoration.GridIsQuiet(hz, NodaTime.Duration.FromSeconds(ageSeconds), NodaTime.Duration.FromSeconds(10)).Should().Be(quiet);

    [Fact]
    public void Without_any_frequency_reading_the_grid_counts_as_quiet() =>
        SocRestoration.GridIsQuiet(null, NodaTime.Duration.Zero, NodaTime.Duration.FromSeconds(10)).Should().BeTrue();

    [Property(MaxTest = 300)]
    public bool Assigned_commitments_never_exceed_what_a_battery_can_sustain(PositiveInt[] maxes, NormalFloat total, int seed)
    {
        var rng = new Random(seed);
        var batteries = maxes.Take(40).Select((m, i) => B("b" + i, m.Get % 10 + 0.5, rng.NextDouble() * 5, rng.NextDouble() * 5)).ToList();
        var result = FrequencyReserve.Assign(new Power(Math.Abs(total.Get) % 500), batteries);
        return result.Sites.All(s => s.Power.Kw <= HoldsBothWaysForAQuarterHour(batteries.Single(b => b.DeviceId == s.SiteId)) + 1e-9);
    }

    /// <summary>The oracle, from the physics rather than the production code: a symmetric commitment needs
    /// the power both ways and, both ways, the energy for 15 minutes of it (kW ≤ 4 × kWh).</summary>
    internal static double HoldsBothWaysForAQuarterHour(BatteryCapability b) =>
        Math.Max(0, Math.Min(Math.Min(b.MaxDischarge.Kw, b.MaxCharge.Kw), 4 * Math.Min(b.UpEnergy.Kwh, b.DownEnergy.Kwh)));
}

public class FrequencyReserveSiteTests
{
    private static readonly NodaTime.Instant T0 = NodaTime.Instant.FromUtc(2026, 11, 23, 17, 0);

    /// <summary>Random regions: no battery beyond what it sustains, no site beyond its envelope either way, opted-out sites get nothing.</summary>
    [Property(MaxTest = 300)]
    public bool Region_commitments_respect_batteries_envelopes_and_homeowners(int seed, NormalFloat total)
    {
        var until = T0 + NodaTime.Duration.FromHours(4);
        var sites = RandomSites(new Random(seed), until);
        var assigned = FrequencyReserve.Assign(new Power(Math.Abs(total.Get) % 200), sites, T0, until);
        foreach (var site in sites)
        {
            var kw = site.Batteries.Sum(b => assigned.GetValueOrDefault(b.DeviceId).Kw);
            if (!site.Participating && kw > 0) return false;
            // RandomSites gives a site at most one envelope, covering the whole window.
            if (site.Envelopes.SingleOrDefault() is { } env
                && (kw > site.Grid.Kw + env.Export.Kw + 1e-6 || kw > env.Import.Kw - site.Grid.Kw + 1e-6) && kw > 0) return false;
            if (site.Batteries.Any(b => assigned.GetValueOrDefault(b.DeviceId).Kw > FrequencyReserveTests.HoldsBothWaysForAQuarterHour(b) + 1e-9)) return false;
        }
        return assigned.Values.Sum(p => p.Kw) <= Math.Abs(total.Get) % 200 + 1e-6;
    }

    /// <summary>The capacity a region offers is exactly what the assignment can place: all of it, and no more.</summary>
    [Property(MaxTest = 300)]
    public bool The_region_capacity_is_what_can_be_assigned(int seed)
    {
        var until = T0 + NodaTime.Duration.FromHours(4);
        var sites = RandomSites(new Random(seed), until);
        var capacity = FrequencyReserve.Capacity(sites, T0, until).Kw;
        var all = FrequencyReserve.Assign(new Power(capacity), sites, T0, until).Values.Sum(p => p.Kw);
        var beyond = FrequencyReserve.Assign(new Power(capacity + 100), sites, T0, until).Values.Sum(p => p.Kw);
        return Math.Abs(all - capacity) < 1e-6 && Math.Abs(beyond - capacity) < 1e-6;
    }

    [Fact]
    public void Batteries_with_uneven_charge_and_discharge_limits_hold_less_than_their_pooled_power()
    {
        BatteryCapability B(string id, double discharge, double charge) => new(id, Power.Zero, new Power(discharge), new Power(charge), new Energy(20), new Energy(20));
        SiteCapability Site(string id, BatteryCapability b) => new(id, [b], Power.Zero, [], true, null, new HashSet<string>(), T0);
        var sites = new[] { Site("a", B("a1", 5, 1)), Site("b", B("b1", 1, 5)) };

        // Pooled: 6 kW out and 6 kW in; per battery only 1 kW both ways each.
        FrequencyReserve.Capacity(sites, T0, T0 + NodaTime.Duration.FromHours(4)).Kw.Should().Be(2);
    }

    private static List<SiteCapability> RandomSites(Random rng, NodaTime.Instant until) =>
        Enumerable.Range(0, rng.Next(0, 25)).Select(i => new SiteCapability($"s{i}",
            Enumerable.Range(0, rng.Next(0, 3)).Select(j => new BatteryCapability($"s{i}b{j}", Power.Zero, new Power(1 + rng.NextDouble() * 9),
                new Power(1 + rng.NextDouble() * 9), new Energy(rng.NextDouble() * 5), new Energy(rng.NextDouble() * 5))).ToList(),
            new Power(rng.NextDouble() * 6 - 3),
            rng.Next(3) == 0 ? [new EnvelopeLimit(new Power(rng.NextDouble() * 4), new Power(rng.NextDouble() * 4), T0, until)] : [],
            rng.Next(5) > 0, null, new HashSet<string>(), T0)).ToList();
}
