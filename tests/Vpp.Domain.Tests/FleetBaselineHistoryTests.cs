using NodaTime;
using Vpp.Domain.Grid;

namespace Vpp.Domain.Tests;

public class FleetBaselineHistoryTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 24, 10, 0);

    [Fact]
    public void Samples_are_averaged_per_quarter_hour_and_taken_at_most_every_ten_seconds()
    {
        var history = new FleetBaselineHistory();
        history.Sample(T0, () => 2).Should().BeTrue();
        history.Sample(T0 + Duration.FromSeconds(5), () => 100).Should().BeFalse("5 s after the last sample");
        history.Sample(T0 + Duration.FromSeconds(10), () => 4).Should().BeTrue();
        history.Sample(T0 + Duration.FromMinutes(15), () => -3).Should().BeTrue();
        history.Sample(T0 + Duration.FromMinutes(16), () => double.NaN).Should().BeFalse("not a number");

        history.Quarters().Should().Equal((T0, 3.0), (T0 + Duration.FromMinutes(15), -3.0));
    }

    [Fact]
    public void Quarters_older_than_eight_days_are_dropped()
    {
        var history = new FleetBaselineHistory();
        history.Sample(T0, () => 1);
        history.Sample(T0 + Duration.FromDays(8), () => 2);
        history.Sample(T0 + Duration.FromDays(8) + Duration.FromMinutes(15), () => 3);
        history.Quarters().Select(q => q.Kw).Should().Equal(2, 3);
    }

    [Fact]
    public void A_restored_quarter_counts_its_samples_alongside_new_ones_and_old_quarters_are_not_restored()
    {
        var history = new FleetBaselineHistory();
        history.Restore(T0, meanKw: 2, samples: 3, now: T0 + Duration.FromMinutes(5));
        history.Restore(T0 - Duration.FromDays(9), meanKw: 7, samples: 5, now: T0 + Duration.FromMinutes(5));
        history.Restore(T0 + Duration.FromMinutes(30), meanKw: double.NaN, samples: 2, now: T0 + Duration.FromMinutes(5));
        history.Sample(T0 + Duration.FromMinutes(6), () => 6);

        history.Get(T0).Should().Be((3.0, 4), "(3 × 2 + 6) / 4");
        history.Quarters().Should().Equal((T0, 3.0));
        history.Get(T0 + Duration.FromMinutes(15)).Should().BeNull();
    }

    [Theory]
    [InlineData("2026-11-24T10:14:59Z", "2026-11-24T10:00:00Z")]
    [InlineData("2026-11-24T10:15:00Z", "2026-11-24T10:15:00Z")]
    [InlineData("1969-12-31T23:50:00Z", "1969-12-31T23:45:00Z")]
    public void An_instant_falls_in_its_quarter_hour(string at, string quarter) =>
        FleetBaselineHistory.QuarterOf(NodaTime.Text.InstantPattern.ExtendedIso.Parse(at).Value)
            .Should().Be(NodaTime.Text.InstantPattern.ExtendedIso.Parse(quarter).Value);
}
