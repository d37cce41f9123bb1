using NodaTime;
using Vpp.Domain.Telemetry;
using Vpp.Persistence.Telemetry;
using Vpp.Tests.Shared;

namespace Vpp.Persistence.Tests;

public sealed class RollupStoreTests : IAsyncLifetime
{
    private static readonly Instant Minute0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);
    private PostgresStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await PostgresStack.StartAsync(await TestPostgres.CreateDatabaseAsync("rollup"), runDaemon: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Partial_flushes_merge_into_the_same_rows_as_one_flush()
    {
        var memory = new InMemoryRollupStore();
        var buffer = new RollupBuffer();
        var rng = new Random(7);
        var readings = Enumerable.Range(0, 180).Select(i => (Ts: Minute0 + Second * i, Kw: rng.NextDouble() * 10 - 5, Soc: 30 + i * 0.1)).ToList();

        // Three flushes, each holding an interleaved third of the readings (late data after a flush).
        foreach (var part in readings.GroupBy(r => r.Ts.ToUnixTimeSeconds() % 3))
        {
            foreach (var r in part)
            {
                buffer.Add("site-a", "bat", SiteFlow.Battery, Second, 10, r.Ts, r.Kw, null, r.Soc);
                buffer.Add("site-a", "meter", SiteFlow.Grid, Second, null, r.Ts, -r.Kw, 1.5 + r.Kw / 10, null);
            }
            var batch = buffer.Drain();
            await _stack.Rollups.MergeAsync(batch);
            await memory.MergeAsync(batch);
        }
        buffer.Add("site-b", "other", SiteFlow.Pv, Second, null, Minute0, 3, null, null);
        await _stack.Rollups.MergeAsync(buffer.Drain());

        var interval = new Interval(Minute0, Minute0 + Duration.FromMinutes(3));
        var stored = await _stack.Rollups.ReadSiteAsync("site-a", interval);
        var expected = await memory.ReadSiteAsync("site-a", interval);
        stored.Should().HaveCount(6, "2 devices × 3 minutes; site-b stays out");
        foreach (var row in stored)
        {
            var e = expected.Single(x => x.DeviceId == row.DeviceId && x.BucketStart == row.BucketStart);
            row.Power.Count.Should().Be(60);
            row.Power.SumKw.Should().BeApproximately(e.Power.SumKw, 1e-9);
            row.Power.MinKw.Should().Be(e.Power.MinKw);
            row.Power.MaxKw.Should().Be(e.Power.MaxKw);
            row.Power.SumPositiveKw.Should().BeApproximately(e.Power.SumPositiveKw, 1e-9);
            row.Load.Count.Should().Be(e.Load.Count);
            row.Load.SumKw.Should().BeApproximately(e.Load.SumKw, 1e-9);
            row.SocPctEnd.Should().Be(e.SocPctEnd);
            row.SocAt.Should().Be(e.SocAt);
            row.CapacityKwh.Should().Be(e.CapacityKwh);
            row.SampleInterval.Should().Be(Second);
        }
        stored.Where(r => r.DeviceId == "bat").Should().OnlyContain(r => r.Load.IsEmpty);
        (await _stack.Rollups.ReadSiteAsync("site-a", new Interval(Minute0 + Duration.FromMinutes(1), Minute0 + Duration.FromMinutes(2))))
            .Should().HaveCount(2, "the interval is half-open: [start, end)");
    }
}
