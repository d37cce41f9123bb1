using Npgsql;
using NodaTime;
using Vpp.Persistence.Events;
using Vpp.Protocol;
using Vpp.Tests.Shared;

namespace Vpp.Persistence.Tests;

public sealed class ProjectionTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 12, 0);

    private static async Task RegisterSiteAsync(PostgresStack stack, string siteId, string deviceId)
    {
        await stack.Events.AppendAsync(StreamKeys.Site(siteId), 0, [
            new SiteRegistered(siteId, "Home " + siteId, "Europe/Berlin", 20, null, null, T0),
            new DeviceAddedToSite(siteId, deviceId, DeviceKind.Battery, null, null, T0)]);
        await stack.Events.AppendAsync(StreamKeys.Device(deviceId), 0, [
            new DeviceRegistered(deviceId, siteId, DeviceKind.Battery, null, null, "hash-" + deviceId, T0)]);
    }

    [Fact]
    public async Task Device_lookup_is_inline_so_a_rotated_or_revoked_token_fails_at_once()
    {
        await using var stack = await PostgresStack.StartAsync(await TestPostgres.CreateDatabaseAsync("inline"), runDaemon: false);
        await RegisterSiteAsync(stack, "s1", "d1");
        (await stack.ReadModels.FindDeviceByTokenHashAsync("hash-d1"))!.SiteId.Should().Be("s1");

        await stack.Events.AppendAsync(StreamKeys.Device("d1"), 1, [new DeviceTokenRotated("d1", "s1", "hash-new", T0)]);
        (await stack.ReadModels.FindDeviceByTokenHashAsync("hash-d1")).Should().BeNull();
        (await stack.ReadModels.FindDeviceByTokenHashAsync("hash-new"))!.Id.Should().Be("d1");

        await stack.Events.AppendAsync(StreamKeys.Device("d1"), 2, [new DeviceTokenRevoked("d1", "s1", T0)]);
        (await stack.ReadModels.FindDeviceByTokenHashAsync("hash-new")).Should().BeNull();
        (await stack.ReadModels.GetDeviceAsync("d1"))!.TokenHash.Should().BeNull();
    }

    [Fact]
    public async Task The_in_memory_store_finds_devices_by_token_the_same_way()
    {
        var readModels = new Vpp.Persistence.ReadModels.InMemoryReadModels();
        var events = new Vpp.Persistence.EventStore.InMemoryEventStore(readModels);
        await events.AppendAsync(StreamKeys.Device("d1"), 0, [new DeviceRegistered("d1", "s1", DeviceKind.Battery, null, null, "hash-d1", T0)]);
        await events.AppendAsync(StreamKeys.Device("d2"), 0, [new DeviceRegistered("d2", "s1", DeviceKind.Meter, null, null, "hash-d2", T0)]);
        (await readModels.FindDeviceByTokenHashAsync("hash-d1"))!.Id.Should().Be("d1");

        await events.AppendAsync(StreamKeys.Device("d1"), 1, [new DeviceTokenRotated("d1", "s1", "hash-new", T0)]);
        (await readModels.FindDeviceByTokenHashAsync("hash-d1")).Should().BeNull("the rotated token stops working at once");
        (await readModels.FindDeviceByTokenHashAsync("hash-new"))!.Id.Should().Be("d1");

        await events.AppendAsync(StreamKeys.Device("d1"), 2, [new DeviceTokenRevoked("d1", "s1", T0)]);
        (await readModels.FindDeviceByTokenHashAsync("hash-new")).Should().BeNull();
        (await readModels.FindDeviceByTokenHashAsync("hash-d2"))!.Id.Should().Be("d2", "other devices are untouched");
    }

    [Fact]
    public async Task Async_projections_catch_up_and_page()
    {
        await using var stack = await PostgresStack.StartAsync(await TestPostgres.CreateDatabaseAsync("async"));
        for (var i = 0; i < 7; i++) await RegisterSiteAsync(stack, $"site-{i}", $"bat-{i}");
        var device = StreamKeys.Device("bat-0");
        await stack.Events.AppendAsync(device, 1, [
            new SetpointIssued("bat-0", "site-0", "c1", -2, T0 + Duration.FromMinutes(15), "test", 20, T0),
            new SetpointAcknowledged("bat-0", "site-0", "c1", false, null, T0 + Duration.FromSeconds(1)),
            new SetpointSuperseded("bat-0", "site-0", "c1", "a newer setpoint was issued", T0 + Duration.FromMinutes(1)),
            new SetpointIssued("bat-0", "site-0", "c2", 3, T0 + Duration.FromMinutes(16), "test", 20, T0 + Duration.FromMinutes(1)),
            new SetpointRejected("bat-0", "site-0", "c2", "firmware busy", T0 + Duration.FromMinutes(1) + Duration.FromSeconds(1))]);

        var sites = await Eventually.Until(() => stack.ReadModels.ListSitesAsync(2, 3), p => p.Total == 7);
        sites.Total.Should().Be(7);
        sites.Items.Select(s => s.Id).Should().Equal("site-2", "site-3", "site-4");
        sites.Items[0].Devices.Should().ContainSingle().Which.DeviceId.Should().Be("bat-2");

        var history = await Eventually.Until(() => stack.ReadModels.CommandHistoryAsync("bat-0", 0, 10),
            p => p.Items.Any(c => c.Id == "c2" && c.Outcome == "rejected"));
        history.Items.Select(c => (c.Id, c.Outcome)).Should().Equal(("c2", "rejected"), ("c1", "superseded"));
        history.Items[0].OutcomeReason.Should().Be("firmware busy");

        var timeline = await Eventually.Until(() => stack.ReadModels.SiteTimelineAsync("site-0", 0, 3), p => p.Total == 7);
        timeline.Total.Should().Be(7, "registered, device added, 2 issued, accepted, superseded, rejected");
        timeline.Items.Should().HaveCount(3);
        timeline.Items[0].Summary.Should().Contain("firmware busy");
        timeline.Items.Select(t => t.Id).Should().BeInDescendingOrder();
    }

    /// <summary>
    /// HotCold: every async projection runs on exactly one host at a time (one PostgreSQL advisory lock
    /// per projection); projections may be spread over the hosts. When a host stops, the others take
    /// over its projections and keep them current.
    /// </summary>
    [Fact]
    public async Task HotCold_each_projection_runs_on_one_host_and_the_survivor_takes_over_when_a_host_stops()
    {
        const int asyncProjections = 3; // site registry, command history, site timeline
        var db = await TestPostgres.CreateDatabaseAsync("hotcold");
        var first = await PostgresStack.StartAsync(TestPostgres.WithApplicationName(db, "vpp-host-a"));
        await using var second = await PostgresStack.StartAsync(TestPostgres.WithApplicationName(db, "vpp-host-b"));

        var locks = await Eventually.Until(() => ProjectionLocks(db), l => l.Count == asyncProjections);
        locks.Should().HaveCount(asyncProjections, "every projection is claimed, each by one session");
        await RegisterSiteAsync(first, "before", "bat-before");
        (await Eventually.Until(() => second.ReadModels.ListSitesAsync(0, 10), p => p.Total == 1)).Total.Should().Be(1);

        await first.DisposeAsync();
        locks = await Eventually.Until(() => ProjectionLocks(db), l => l.Count == asyncProjections && l.Values.All(h => h == "vpp-host-b"), timeoutMs: 60_000);
        locks.Values.Should().OnlyContain(h => h == "vpp-host-b", "the survivor runs every projection");
        locks.Should().HaveCount(asyncProjections);
        await RegisterSiteAsync(second, "after", "bat-after");
        var sites = await Eventually.Until(() => second.ReadModels.ListSitesAsync(0, 10), p => p.Total == 2, timeoutMs: 30_000);
        sites.Items.Select(s => s.Id).Should().Equal("after", "before");
    }

    /// <summary>Advisory lock id → application name of the session holding it (the daemons' leadership per projection).</summary>
    private static async Task<Dictionary<long, string>> ProjectionLocks(string db)
    {
        await using var conn = new NpgsqlConnection(TestPostgres.WithApplicationName(db, "observer"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            select l.objid::bigint, a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and a.datname = current_database()
            """, conn);
        var locks = new Dictionary<long, string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) locks[reader.GetInt64(0)] = reader.GetString(1);
        return locks;
    }
}
