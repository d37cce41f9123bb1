using Vpp.Tests.Shared;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Tests;

/// <summary>The region's battery baseline history (the market scheduler's forecast input) outlives its activation.</summary>
public sealed class RegionBaselineTests(TwinCluster cluster) : IClassFixture<TwinCluster>
{
    [Fact]
    public async Task Completed_quarter_hours_are_recorded_and_restored_when_the_region_activates_again()
    {
        const string region = "rb-durable";
        var grain = cluster.Client.GetGrain<IGridRegionGrain>(region);
        var start = Instant.FromUtc(2026, 12, 1, 10, 0);
        double[] kw = [1.5, -4, -6.25, 2, 0.5];
        for (var q = 0; q < kw.Length; q++)
        {
            cluster.Clock.Reset(start + Duration.FromMinutes(15 * q + 1));
            await grain.ReportCapability(new SiteCapabilityReport($"{region}-0", cluster.Clock.GetCurrentInstant(),
                [new BatteryCapabilityReport($"{region}-0-bat", kw[q], 5, 5, 4, 4, kw[q])], 0, [], true, null, [], 20));
            // One-way reports may overtake each other (an older one is then ignored): each is handled before the next.
            var seen = q + 1;
            await Eventually.Until(() => grain.GetBaselineHistory(), h => h.Count == seen);
        }
        (await grain.GetBaselineHistory()).Select(q => q.Kw).Should().Equal(kw);
        var recorded = (await cluster.Events.ReadAsync(StreamKeys.Region(region), 0)).Events.OfType<RegionBaselineRecorded>().ToList();
        recorded.Select(r => r.MeanKw).Should().Equal(kw[..^1], "a quarter-hour is recorded once a later one has begun");
        recorded.Select(r => r.QuarterStart).Should().Equal(Enumerable.Range(0, 4).Select(q => start + Duration.FromMinutes(15 * q)));

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var restored = await grain.GetBaselineHistory();

        restored.Select(q => (q.Start, q.Kw)).Should().Equal(recorded.Select(r => (r.QuarterStart, r.MeanKw)),
            "the completed quarter-hours come back; the open one was not complete");
    }

    [Fact]
    public async Task Frequency_readings_are_deduplicated_by_ts_and_only_a_newer_one_replaces_the_latest()
    {
        var region = cluster.Client.GetGrain<IGridRegionGrain>("hz-dedupe");
        var now = cluster.Clock.GetCurrentInstant();
        await region.ReportFrequency(new FrequencyReading(now, 49.9));
        await region.ReportFrequency(new FrequencyReading(now, 49.5));                             // the same ts again
        await region.ReportFrequency(new FrequencyReading(now - Duration.FromSeconds(1), 49.7));  // an older one
        (await region.GetFrequency())!.Hz.Should().Be(49.9);

        await region.ReportFrequency(new FrequencyReading(now + Duration.FromMilliseconds(100), 50.02));
        (await region.GetFrequency())!.Should().Be(new FrequencyReading(now + Duration.FromMilliseconds(100), 50.02));
    }

    /// <summary>Two homes of 5 kW with 10 kWh each way: 10 kW up for a half-hour window.</summary>
    private async Task<IGridRegionGrain> TwoHomes(string region)
    {
        var grain = cluster.Client.GetGrain<IGridRegionGrain>(region);
        var now = cluster.Clock.GetCurrentInstant();
        for (var i = 0; i < 2; i++)
            await grain.ReportCapability(new SiteCapabilityReport($"{region}-{i}", now,
                [new BatteryCapabilityReport($"{region}-{i}-bat", 0, 5, 5, 10, 10, 0)], 0, [], true, null, [], 20));
        await Eventually.Until(() => grain.GetFlexibility(), f => f.Sites == 2);
        return grain;
    }

    [Fact]
    public async Task A_higher_priority_request_does_not_pre_empt_an_accepted_one()
    {
        var region = await TwoHomes("prio");
        var now = cluster.Clock.GetCurrentInstant();
        var low = new DispatchRequest("prio-low", "prio", now + Duration.FromMinutes(5), now + Duration.FromMinutes(35), 8, Priority: 0);
        var high = new DispatchRequest("prio-high", "prio", now + Duration.FromMinutes(10), now + Duration.FromMinutes(40), 8, Priority: 9);

        (await region.Evaluate(low)).AcceptedKw.Should().BeApproximately(8, 1e-9);
        var second = await region.Evaluate(high);
        second.AcceptedKw.Should().BeApproximately(2, 1e-9, "10 kW up, 8 already promised");
        second.Reason.Should().Contain("overlapping");
        (await region.Evaluate(low)).AcceptedKw.Should().BeApproximately(8, 1e-9, "the accepted request keeps its kW");
        (await region.GetFlexibility()).CommittedUpKw.Should().BeApproximately(10, 1e-9);
    }

    [Fact]
    public async Task A_frequency_response_commitment_survives_the_region_grain_being_collected()
    {
        var region = await TwoHomes("fr-durable");
        var now = cluster.Clock.GetCurrentInstant();
        (await region.CommitFrequencyResponse(4, FrequencyResponseMode.Central, now + Duration.FromHours(1), "test")).CommittedKw.Should().BeApproximately(4, 1e-9);
        await region.ReportFrequency(new FrequencyReading(now, 50));

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        (await region.GetFrequency()).Should().BeNull("the latest reading lives in memory only: this is a new activation");
        var view = await region.GetFrequencyResponse();
        view.CommittedKw.Should().BeApproximately(4, 1e-9);
        view.Mode.Should().Be(FrequencyResponseMode.Central);
        view.Until.Should().Be(now + Duration.FromHours(1));
    }
}
