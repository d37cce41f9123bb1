using FsCheck;
using FsCheck.Xunit;
using NodaTime;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class DroopTests
{
    private static readonly DroopSettings Droop = new(new Power(4));

    [Theory]
    [InlineData(50.000, 0)]
    [InlineData(49.990, 0)]      // edge of the ±10 mHz deadband
    [InlineData(50.009, 0)]
    [InlineData(49.895, 2)]      // halfway between 10 and 200 mHz
    [InlineData(49.800, 4)]      // full activation
    [InlineData(49.500, 4)]      // beyond: still the committed power, never more
    [InlineData(50.105, -2)]
    [InlineData(50.250, -4)]
    public void Response_is_zero_in_the_deadband_linear_to_full_activation_and_capped(double hz, double expectedKw) =>
        Droop.Response(hz).Kw.Should().BeApproximately(expectedKw, 1e-9);

    [Fact]
    public void A_non_finite_frequency_is_refused()
    {
        var act = () => Droop.Response(double.NaN);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Property(MaxTest = 500)]
    public bool Response_never_exceeds_the_commitment_and_falls_as_frequency_rises(NormalFloat a, NormalFloat b)
    {
        var f1 = 49 + Math.Abs(a.Get) % 2;
        var f2 = 49 + Math.Abs(b.Get) % 2;
        var (lo, hi) = f1 <= f2 ? (f1, f2) : (f2, f1);
        return Math.Abs(Droop.Response(lo).Kw) <= 4 + 1e-12 && Droop.Response(lo).Kw >= Droop.Response(hi).Kw - 1e-12;
    }
}

public class DispatchAllocationTests
{
    private static readonly Duration Hour = Duration.FromHours(1);

    private static SiteHeadroom Site(string id, double kw, double kwh) => new(id, new Power(kw), new Energy(kwh));

    [Fact]
    public void Shares_follow_energy_headroom_and_a_site_never_gets_more_than_it_can_sustain()
    {
        var sites = new[] { Site("a", 5, 10), Site("b", 5, 2) }; // b sustains only 2 kW for an hour

        var four = DispatchAllocation.Allocate(new Power(4), Hour, sites);
        four.Accepted.Kw.Should().Be(4);
        four.Sites.Single(s => s.SiteId == "a").Power.Kw.Should().BeApproximately(10.0 / 3, 1e-9);   // 4 × 10/12
        four.Sites.Single(s => s.SiteId == "b").Power.Kw.Should().BeApproximately(2.0 / 3, 1e-9);
        four.ShortfallReason.Should().BeNull();

        var six = DispatchAllocation.Allocate(new Power(6), Hour, sites);
        six.Sites.Single(s => s.SiteId == "a").Power.Kw.Should().BeApproximately(5, 1e-9);   // wants 5, capped at 5
        six.Sites.Single(s => s.SiteId == "b").Power.Kw.Should().BeApproximately(1, 1e-9);

        var ten = DispatchAllocation.Allocate(new Power(10), Hour, sites);
        ten.Accepted.Kw.Should().BeApproximately(7, 1e-9, "a sustains 5 kW and b 2 kW for the whole hour");
        ten.ShortfallReason.Should().Contain("7 kW");
    }

    [Fact]
    public void An_empty_or_exhausted_fleet_accepts_nothing_and_says_why()
    {
        DispatchAllocation.Allocate(new Power(3), Hour, []).Should().BeEquivalentTo(
            new AllocationResult(Power.Zero, [], "no participating sites"));
        var exhausted = DispatchAllocation.Allocate(new Power(3), Hour, [Site("a", 5, 0)]);
        exhausted.Accepted.Should().Be(Power.Zero);
        exhausted.ShortfallReason.Should().Contain("no site");
    }

    [Fact]
    public void Bad_requests_are_refused()
    {
        var negative = () => DispatchAllocation.Allocate(new Power(-1), Hour, []);
        negative.Should().Throw<ArgumentOutOfRangeException>();
        var nan = () => DispatchAllocation.Allocate(new Power(double.NaN), Hour, []);
        nan.Should().Throw<ArgumentOutOfRangeException>();
        var noWindow = () => DispatchAllocation.Allocate(new Power(1), Duration.Zero, []);
        noWindow.Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>Over random fleets and requests: the sum is what was accepted, no site beyond what it can sustain.</summary>
    [Property(MaxTest = 500)]
    public bool Allocation_respects_every_sites_limit_and_adds_up(PositiveInt[] powers, NormalFloat request, PositiveInt minutes, int seed)
    {
        var rng = new Random(seed);
        var sites = powers.Take(50).Select((p, i) => Site("s" + i, p.Get % 11, rng.NextDouble() * 20)).ToList();
        var window = Duration.FromMinutes(minutes.Get % 240 + 1);
        var requested = new Power(Math.Abs(request.Get) % 200);
        var result = DispatchAllocation.Allocate(requested, window, sites);

        var caps = sites.ToDictionary(s => s.SiteId, s => Math.Min(s.Power.Kw, s.Energy.Kwh / window.TotalHours));
        var sum = result.Sites.Sum(s => s.Power.Kw);
        return Math.Abs(sum - result.Accepted.Kw) < 1e-6
               && result.Accepted.Kw <= requested.Kw + 1e-9
               && Math.Abs(result.Accepted.Kw - Math.Min(requested.Kw, caps.Values.Sum())) < 1e-6
               && result.Sites.All(s => s.Power.Kw > 0 && s.Power.Kw <= caps[s.SiteId] + 1e-9);
    }
}

public class OperatingEnvelopeTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 12, 0);

    [Fact]
    public void The_most_restrictive_envelope_in_force_applies_and_bounds_the_headroom()
    {
        var envelopes = new[]
        {
            new EnvelopeLimit(new Power(10), new Power(5), T0, T0 + Duration.FromHours(2)),
            new EnvelopeLimit(new Power(7), new Power(8), T0 + Duration.FromMinutes(30), T0 + Duration.FromHours(1)),
            new EnvelopeLimit(new Power(1), new Power(1), T0 + Duration.FromHours(3), T0 + Duration.FromHours(4)), // not in force
        };
        var limits = OperatingEnvelopes.Effective(envelopes, T0 + Duration.FromMinutes(45), T0 + Duration.FromMinutes(50));
        limits.Should().Be((new Power(7), new Power(5)));

        // Importing 2 kW: up to 7 kW more out (to 5 kW export), up to 5 kW more in (to 7 kW import).
        OperatingEnvelopes.Headroom(new Power(2), limits).Should().Be((new Power(7), new Power(5)));
        // Already exporting beyond the limit: no more up; down is still allowed.
        OperatingEnvelopes.Headroom(new Power(-6), limits).Up.Should().Be(Power.Zero);
        OperatingEnvelopes.Effective(envelopes, T0 + Duration.FromHours(2), T0 + Duration.FromHours(3)).Should().BeNull();
        OperatingEnvelopes.Headroom(Power.Zero, null).Up.Kw.Should().Be(double.PositiveInfinity);
    }
}

public class DispatchAllocationEdgeTests
{
    private static readonly Duration Hour = Duration.FromHours(1);

    [Fact]
    public void A_fleet_that_can_just_sustain_the_request_has_no_shortfall()
    {
        DispatchAllocation.ShortfallReason(new Power(10), 2, new Power(10)).Should().BeNull();
        DispatchAllocation.ShortfallReason(new Power(10), 2, new Power(9.999)).Should().Be("the fleet can sustain 9.999 kW for the whole window");
        DispatchAllocation.ShortfallReason(new Power(10), 0, Power.Zero).Should().Be("no participating sites");
        DispatchAllocation.ShortfallReason(new Power(10), 3, Power.Zero).Should().Be("no site can sustain any power for the whole window");
    }

    [Fact]
    public void A_site_reporting_infinite_headroom_is_given_nothing()
    {
        var site = new SiteHeadroom("inf", new Power(double.PositiveInfinity), new Energy(double.PositiveInfinity));
        DispatchAllocation.Sustainable(site, Hour).Should().Be(0);
        DispatchAllocation.Allocate(new Power(5), Hour, [site]).Sites.Should().BeEmpty();
    }

    [Fact]
    public void Nothing_requested_lists_no_site()
    {
        var result = DispatchAllocation.Allocate(Power.Zero, Hour, [new SiteHeadroom("a", new Power(5), new Energy(5))]);
        result.Accepted.Should().Be(Power.Zero);
        result.Sites.Should().BeEmpty();
        result.ShortfallReason.Should().BeNull();
    }

    [Fact]
    public void Bad_requests_are_refused_with_what_is_wrong()
    {
        var negative = () => DispatchAllocation.Allocate(new Power(-1), Hour, []);
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Requested power must be a finite magnitude ≥ 0.*");
        var empty = () => DispatchAllocation.Allocate(new Power(1), Duration.Zero, []);
        empty.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The window must be longer than zero.*");
    }
}
