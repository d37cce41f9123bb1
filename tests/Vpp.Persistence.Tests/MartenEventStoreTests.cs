using NodaTime;
using Vpp.Contracts.Registrations;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Sites;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.Postgres.Hosting;
using Vpp.Tests.Shared;

namespace Vpp.Persistence.Tests;

public sealed class MartenEventStoreTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private PostgresStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await PostgresStack.StartAsync(await TestPostgres.CreateDatabaseAsync("es"), runDaemon: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static SiteRegistered Registered(string id) => new(id, "Home", "Europe/Berlin", 20, null, null, T0);

    [Fact]
    public async Task Appends_and_reads_with_versions_counting_events()
    {
        var store = _stack.Events;
        (await store.ReadAsync("site:a", 0)).Version.Should().Be(0);
        (await store.AppendAsync("site:a", 0, [Registered("a")])).Should().Be(1);
        (await store.AppendAsync("site:a", 1, [new PreferencesChanged("a", 30, true, "t", T0), new PreferencesChanged("a", 40, false, "t", T0)]))
            .Should().Be(3);

        var all = await store.ReadAsync("site:a", 0);
        all.Version.Should().Be(3);
        all.Events.Should().HaveCount(3);
        all.Events[0].Should().BeEquivalentTo(Registered("a"));
        var tail = await store.ReadAsync("site:a", 2);
        tail.Events.Should().ContainSingle().Which.Should().BeEquivalentTo(new PreferencesChanged("a", 40, false, "t", T0));
        tail.Version.Should().Be(3);
    }

    [Fact]
    public async Task A_burst_of_appends_is_committed_together_and_one_conflict_fails_only_itself()
    {
        var store = _stack.Events;
        await store.AppendAsync("site:burst-taken", 0, [Registered("burst-taken")]);

        // 300 new streams and one append with a stale version, all at once: they share commits.
        var fresh = Enumerable.Range(0, 300).Select(i => store.AppendAsync($"site:burst-{i}", 0, [Registered($"burst-{i}")])).ToList();
        var stale = store.AppendAsync("site:burst-taken", 0, [Registered("burst-taken")]);

        (await Task.WhenAll(fresh)).Should().OnlyContain(v => v == 1);
        await stale.Invoking(t => t).Should().ThrowAsync<StreamConflictException>();
        for (var i = 0; i < 300; i += 37) (await store.ReadAsync($"site:burst-{i}", 0)).Events.Should().ContainSingle();
        (await store.ReadAsync("site:burst-taken", 0)).Version.Should().Be(1, "the stale append wrote nothing");
    }

    [Fact]
    public async Task Two_writers_at_the_same_version_exactly_one_wins()
    {
        var store = _stack.Events;
        await store.AppendAsync("site:race", 0, [Registered("race")]);
        for (var round = 0; round < 10; round++)
        {
            var version = (await store.ReadAsync("site:race", 0)).Version;
            var writers = Enumerable.Range(0, 2).Select(i => Task.Run(() =>
                store.AppendAsync("site:race", version, [new PreferencesChanged("race", 10 + i, true, "writer" + i, T0)]))).ToArray();
            try { await Task.WhenAll(writers); } catch (StreamConflictException) { }
            writers.Count(w => w.IsCompletedSuccessfully).Should().Be(1, "round {0}", round);
            writers.Single(w => w.IsFaulted).Exception!.InnerException.Should().BeOfType<StreamConflictException>();
            (await store.ReadAsync("site:race", 0)).Version.Should().Be(version + 1);
        }
    }

    [Fact]
    public async Task Starting_an_existing_stream_is_a_conflict()
    {
        await _stack.Events.AppendAsync("site:dup", 0, [Registered("dup")]);
        var second = () => _stack.Events.AppendAsync("site:dup", 0, [Registered("dup")]);
        await second.Should().ThrowAsync<StreamConflictException>();
        (await _stack.Events.ReadAsync("site:dup", 0)).Version.Should().Be(1);
    }

    [Fact]
    public async Task A_stale_writer_reloads_and_decides_again()
    {
        // Two owners of one stream (as during a silo partition): each loaded version 1.
        await _stack.Events.AppendAsync("site:stale", 0, [Registered("stale")]);
        var a = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:stale");
        var b = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:stale");
        await a.LoadAsync();
        await b.LoadAsync();

        await a.ExecuteAsync(s => s.ChangePreferences(35, true, "a", T0));
        // Still valid after reload: b's change lands after a's, nothing is overwritten.
        await b.ExecuteAsync(s => s.SetOverride(T0 + Duration.FromHours(1), "cooking", "b", T0));
        b.Version.Should().Be(3);
        b.State.Settings.BackupReservePct.Should().Be(35, "b re-decided on a state that includes a's change");

        // a is now the stale one (version 2): its append conflicts, it reloads, decides again and lands at 4.
        await a.ExecuteAsync(s => s.ChangePreferences(50, false, "a", T0));
        a.Version.Should().Be(4);
        a.State.Settings.ManualOverrideUntil.Should().Be(T0 + Duration.FromHours(1), "b's override survived a's later write");
        var c = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:stale");
        await c.LoadAsync();
        c.State.Should().BeEquivalentTo(a.State);

        // A rule violation surfaces as its own clear error, not as a conflict.
        var bad = () => b.ExecuteAsync(s => s.ChangePreferences(150, true, "b", T0));
        await bad.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*between 0 and 100*");
    }

    [Fact]
    public async Task Register_race_one_site_wins_the_other_sees_it_exists()
    {
        var a = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:twice");
        var b = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:twice");
        await a.LoadAsync();
        await b.LoadAsync();
        var site = new SiteRegistration("twice", "Home", "Europe/Berlin", 20, null, null, T0);
        (await a.ExecuteAsync(s => s.Register(site))).Should().HaveCount(1);
        (await b.ExecuteAsync(s => s.Register(site with { Name = "Other" }))).Should().BeEmpty("after reloading, the site exists");
        b.State.Site!.Name.Should().Be("Home");
    }

    [Fact]
    public async Task Snapshots_round_trip_and_only_the_tail_is_replayed()
    {
        var stream = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:snap", snapshotEvery: 2);
        await stream.LoadAsync();
        await stream.ExecuteAsync(s => s.Register(new SiteRegistration("snap", "Home", "Europe/Berlin", 20, 52.5, 13.4, T0)));
        await stream.ExecuteAsync(s => s.ChangePreferences(25, false, "t", T0));   // version 2: snapshot
        await stream.ExecuteAsync(s => s.SetOverride(T0 + Duration.FromHours(2), "party", "t", T0)); // version 3: tail

        var snapshot = await _stack.Events.LoadSnapshotAsync<SiteAggregate>("site:snap");
        snapshot!.Version.Should().Be(2);
        snapshot.State.Settings.Participating.Should().BeFalse();

        var reloaded = new EventSourcedStream<SiteAggregate>(_stack.Events, "site:snap", snapshotEvery: 2);
        await reloaded.LoadAsync();
        reloaded.Version.Should().Be(3);
        reloaded.State.Should().BeEquivalentTo(stream.State);
    }

    [Fact]
    public async Task Production_mode_refuses_to_start_on_an_unmigrated_database_and_migrate_fixes_it()
    {
        var db = await TestPostgres.CreateDatabaseAsync("prod");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddVppPostgres(new PostgresOptions { ConnectionString = db, AutoCreateSchema = false });
        using var host = builder.Build();

        var start = () => PostgresSchema.PrepareAsync(host.Services);
        await start.Should().ThrowAsync<InvalidOperationException>().WithMessage("*Vpp.Host migrate*");
        (await TableCount(db)).Should().Be(0, "no DDL runs at start-up in production mode");

        await PostgresSchema.MigrateAsync(host.Services);
        await start.Should().NotThrowAsync();
        (await TableCount(db)).Should().BeGreaterThan(3);
    }

    private static async Task<long> TableCount(string db)
    {
        await using var conn = new Npgsql.NpgsqlConnection(db);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from information_schema.tables where table_schema = 'vpp'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
