using Vpp.Tests.Shared;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Protocol;

namespace Vpp.Grains.Tests;

public class TwinGrainTests(TwinCluster twins) : IClassFixture<TwinCluster>
{
    private IClusterClient Client => twins.Client;
    private Instant Now => twins.Clock.GetCurrentInstant();

    private async Task<(IBatteryGrain Battery, RecordingConnection Connection, IDeviceConnection Ref)> ConnectBattery(string siteId)
    {
        var battery = Client.GetGrain<IBatteryGrain>(siteId + "-bat");
        var connection = new RecordingConnection();
        var reference = Client.CreateObjectReference<IDeviceConnection>(connection);
        await battery.Connect(reference);
        return (battery, connection, reference);
    }

    private async Task ConnectAndReport(string deviceId, DeviceKind kind, TelemetryReading reading)
    {
        var grain = DeviceGrains.Get(Client, kind, deviceId);
        await grain.Connect(Client.CreateObjectReference<IDeviceConnection>(new RecordingConnection()));
        await grain.Report(reading);
    }

    [Fact]
    public async Task Readings_from_three_devices_make_the_site_balance_and_are_published_live()
    {
        var site = await twins.RegisterHomeAsync("s-balance");
        await Client.GetGrain<ISiteGrain>(site).Watch(); // a viewer watches: the site publishes live state
        // PV 3 kW, battery charging 1 kW at 60 %, importing 0.5 kW: the home uses 2.5 kW.
        await ConnectAndReport(site + "-bat", DeviceKind.Battery, new TelemetryReading(1, Now, -1, 60, null, null, null));
        await ConnectAndReport(site + "-pv", DeviceKind.Solar, new TelemetryReading(1, Now, 3, null, 3.2, null, null));
        await ConnectAndReport(site + "-meter", DeviceKind.Meter, new TelemetryReading(1, Now, 0, null, null, 0.5, 2.5));

        var state = await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(),
            s => s.Devices.All(d => d.Status == DeviceStatus.Online) && s.LoadKw > 0);

        state.Status.Should().Be(SiteStatus.Online);
        state.PvKw.Should().Be(3);
        state.BatteryKw.Should().Be(-1);
        state.GridKw.Should().Be(0.5);
        state.LoadKw.Should().Be(2.5);
        state.Devices.Single(d => d.Kind == DeviceKind.Meter).PowerKw.Should().Be(0.5, "a meter shows the grid flow it measures");
        state.SocPct.Should().Be(60);
        state.StoredKwh.Should().BeApproximately(6, 1e-9);
        // 4 kWh above the 20 % reserve × 0.9 = 3.6 kWh at 5 kW = 43.2 min.
        state.Flexibility.UpKw.Should().Be(5);
        state.Flexibility.UpMinutes.Should().BeApproximately(43.2, 1e-6);
        var published = await Eventually.Value(() => twins.Live.Sites.Where(s => s.SiteId == site && s.LoadKw > 0).ToList(), l => l.Count > 0);
        published.Should().NotBeEmpty("the site publishes its state to live viewers");
    }

    [Fact]
    public async Task A_backfilled_reading_older_than_the_live_one_never_becomes_live_state()
    {
        var site = await twins.RegisterHomeAsync("s-backfill");
        var (battery, _, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 1, 60, null, null, null));
        await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(), s => s.BatteryKw == 1);

        // Uploaded after a gap: a newer seq, an older ts.
        await battery.Report(new TelemetryReading(2, Now - Duration.FromMinutes(5), -3, 40, null, null, null));

        var state = await battery.GetState();
        state.Last!.Seq.Should().Be(1, "live state is the reading with the newest ts");
        state.Last.PowerKw.Should().Be(1);
        // The seq was taken: the same upload again is a duplicate, not a second history row.
        var duplicates = twins.DuplicatesSeen;
        await battery.Report(new TelemetryReading(2, Now - Duration.FromMinutes(5), -3, 40, null, null, null));
        twins.DuplicatesSeen.Should().Be(duplicates + 1);
    }

    [Fact]
    public async Task A_reading_with_the_largest_seq_does_not_blind_the_twin_to_later_real_ones()
    {
        var site = await twins.RegisterHomeAsync("s-seqmax");
        var (battery, _, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(7, Now, 1, 60, null, null, null));
        // On Kafka no token is checked: one message can carry any seq.
        await battery.Report(new TelemetryReading(long.MaxValue, Now, 1, 60, null, null, null));

        twins.Clock.Advance(Duration.FromSeconds(1));
        await battery.Report(new TelemetryReading(8, Now, 2.5, 61, null, null, null));
        var state = await battery.GetState();
        state.Last!.Seq.Should().Be(8);
        state.Last.PowerKw.Should().Be(2.5);

        // The control: the same real reading again is still a repeat.
        var duplicates = twins.DuplicatesSeen;
        await battery.Report(new TelemetryReading(8, Now, 2.5, 61, null, null, null));
        twins.DuplicatesSeen.Should().Be(duplicates + 1);
    }

    [Fact]
    public async Task A_device_whose_connection_closes_is_offline_and_its_site_offers_nothing_from_it()
    {
        var site = await twins.RegisterHomeAsync("s-offline");
        var (battery, _, reference) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 0, 60, null, null, null));
        (await battery.GetState()).Status.Should().Be(DeviceStatus.Online);
        await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(), s => s.Flexibility.UpKw > 0);

        await battery.Disconnect(reference);

        (await battery.GetState()).Status.Should().Be(DeviceStatus.Offline);
        await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(), s => s.Flexibility.UpKw == 0 && s.Flexibility.DownKw == 0);
    }

    [Fact]
    public async Task A_watch_ends_with_its_lease_unless_the_viewer_renews_it()
    {
        // Both sites are watched, then the lease (2 min) runs out; only the control's viewer renews.
        var site = await twins.RegisterHomeAsync("s-lease");
        var control = await twins.RegisterHomeAsync("s-lease-control");
        await Client.GetGrain<ISiteGrain>(site).Watch();
        await Client.GetGrain<ISiteGrain>(control).Watch();
        var (battery, _, _) = await ConnectBattery(site);
        var (controlBattery, _, _) = await ConnectBattery(control);
        await battery.Report(new TelemetryReading(1, Now, -1, 60, null, null, null));
        await Eventually.Value(() => twins.Live.Sites.ToArray(), l => l.Any(s => s.SiteId == site && s.BatteryKw == -1), timeoutMs: 10_000);

        twins.Clock.Advance(Duration.FromMinutes(2) + Duration.FromSeconds(1));
        await Client.GetGrain<ISiteGrain>(control).Watch();
        await Eventually.Value(() => twins.Live.Sites.ToArray(), l => l.Count(s => s.SiteId == control) >= 2, timeoutMs: 10_000);
        await battery.Report(new TelemetryReading(2, Now, -2, 60, null, null, null));
        await controlBattery.Report(new TelemetryReading(2, Now, -2, 60, null, null, null));

        await Eventually.Value(() => twins.Live.Sites.ToArray(), l => l.Any(s => s.SiteId == control && s.BatteryKw == -2), timeoutMs: 10_000);
        twins.Live.Sites.Should().NotContain(s => s.SiteId == site && s.BatteryKw == -2, "nobody renewed that site's lease");
    }

    [Fact]
    public async Task A_site_nobody_watches_publishes_no_live_state()
    {
        var site = await twins.RegisterHomeAsync("s-unwatched");
        // A watched site given a reading at the same moment is the control: once it has published, so would the unwatched one have.
        var control = await twins.RegisterHomeAsync("s-watched-control");
        await Client.GetGrain<ISiteGrain>(control).Watch();
        // Watch is one-way: its own first publish is in before the readings go out.
        await Eventually.True(() => twins.Live.Sites.Any(s => s.SiteId == control));
        await ConnectAndReport(site + "-bat", DeviceKind.Battery, new TelemetryReading(1, Now, -1, 60, null, null, null));
        await ConnectAndReport(control + "-bat", DeviceKind.Battery, new TelemetryReading(1, Now, -1, 60, null, null, null));
        await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(), s => s.BatteryKw == -1);
        await Eventually.Value(() => twins.Live.Sites.ToArray(), l => l.Any(s => s.SiteId == control && s.BatteryKw == -1));

        twins.Live.Sites.Should().NotContain(s => s.SiteId == site, "live state costs nothing until a viewer watches");
        await Client.GetGrain<ISiteGrain>(site).Watch();
        await Eventually.True(() => twins.Live.Sites.Any(s => s.SiteId == site));
        twins.Live.Sites.Should().Contain(s => s.SiteId == site && s.BatteryKw == -1);
    }

    [Fact]
    public async Task A_repeated_or_older_seq_is_ignored()
    {
        var site = await twins.RegisterHomeAsync("s-seq");
        var (battery, _, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(5, Now, 1, 50, null, null, null));
        await Eventually.Until(battery.GetState, s => s.Last?.Seq == 5);
        var duplicatesBefore = twins.DuplicatesSeen;

        await battery.Report(new TelemetryReading(5, Now, 2, 51, null, null, null));
        await battery.Report(new TelemetryReading(3, Now, 3, 52, null, null, null));

        (await Eventually.Value(() => twins.DuplicatesSeen, d => d == duplicatesBefore + 2)).Should().Be(duplicatesBefore + 2);
        var state = await battery.GetState();
        state.Last!.Seq.Should().Be(5);
        state.Last.PowerKw.Should().Be(1);
        (await battery.Connect(Client.CreateObjectReference<IDeviceConnection>(new RecordingConnection()))).LastSeq.Should().Be(5);
    }

    [Fact]
    public async Task A_setpoint_reaches_the_connection_and_its_acks_are_tracked()
    {
        var site = await twins.RegisterHomeAsync("s-setpoint");
        var (battery, connection, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 0, 70, null, null, null));

        var command = await battery.IssueSetpoint(new SetpointRequest(3, Duration.FromMinutes(15), "test"));

        command.Status.Should().Be(CommandStatus.Sent);
        command.MinSocPct.Should().Be(20, "the device is told the home's backup reserve");
        command.ValidUntil.Should().Be(Now + Duration.FromMinutes(15));
        connection.Setpoints.Should().ContainSingle(c => c.CommandId == command.CommandId && c.PowerKw == 3);

        (await battery.Acknowledge(command.CommandId, AckStatus.Accepted, null)).Should().Be(AckOutcome.Recorded);
        (await battery.Acknowledge(command.CommandId, AckStatus.Accepted, null)).Should().Be(AckOutcome.Duplicate);
        (await battery.Acknowledge("cmd_unknown", AckStatus.Accepted, null)).Should().Be(AckOutcome.UnknownCommand);
        (await battery.GetCommands()).Single(c => c.CommandId == command.CommandId).Status.Should().Be(CommandStatus.Accepted);
    }

    [Fact]
    public async Task Setpoints_beyond_limits_or_below_reserve_are_refused()
    {
        var site = await twins.RegisterHomeAsync("s-refuse", reservePct: 30);
        var (battery, connection, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 0, 30, null, null, null));

        var tooBig = () => battery.IssueSetpoint(new SetpointRequest(5.5, Duration.FromMinutes(5), "t"));
        await tooBig.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*max discharge*");
        var atReserve = () => battery.IssueSetpoint(new SetpointRequest(1, Duration.FromMinutes(5), "t"));
        await atReserve.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*backup reserve*");
        connection.Setpoints.Should().BeEmpty();

        (await battery.IssueSetpoint(new SetpointRequest(-5, Duration.FromMinutes(5), "charge"))).Status.Should().Be(CommandStatus.Sent);
    }

    [Fact]
    public async Task A_running_discharge_is_stopped_when_telemetry_reaches_the_reserve()
    {
        var site = await twins.RegisterHomeAsync("s-guard", reservePct: 20);
        var (battery, connection, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 0, 40, null, null, null));
        var discharge = await battery.IssueSetpoint(new SetpointRequest(4, Duration.FromMinutes(30), "dispatch"));

        await battery.Report(new TelemetryReading(2, Now, 4, 19.9, null, null, null));

        var stop = await Eventually.Value(() => connection.Setpoints.LastOrDefault(), c => c?.PowerKw == 0);
        stop!.PowerKw.Should().Be(0);
        stop.Reason.Should().Contain("backup reserve");
        (await battery.GetCommands()).Single(c => c.CommandId == discharge.CommandId).Status.Should().Be(CommandStatus.Superseded);
    }

    [Fact]
    public async Task A_setpoint_issued_while_offline_is_delivered_on_connect_until_it_expires()
    {
        var site = await twins.RegisterHomeAsync("s-pending");
        var battery = Client.GetGrain<IBatteryGrain>(site + "-bat");
        var pending = await battery.IssueSetpoint(new SetpointRequest(-2, Duration.FromMinutes(10), "charge"));
        pending.Status.Should().Be(CommandStatus.Pending);

        var connected = await battery.Connect(Client.CreateObjectReference<IDeviceConnection>(new RecordingConnection()));
        connected.PendingSetpoints.Should().ContainSingle(c => c.CommandId == pending.CommandId && c.Status == CommandStatus.Sent);
    }

    [Fact]
    public async Task A_second_connection_replaces_the_first_with_close_code_4000()
    {
        var site = await twins.RegisterHomeAsync("s-replace");
        var (battery, first, _) = await ConnectBattery(site);
        await battery.Connect(Client.CreateObjectReference<IDeviceConnection>(new RecordingConnection()));

        var closes = await Eventually.Value(() => first.Closes.ToArray(), c => c.Length > 0);
        closes.Should().Equal(ProtocolCloseCodes.Replaced);
    }

    [Fact]
    public async Task A_device_silent_for_three_intervals_turns_stale_and_leaves_flexibility()
    {
        var site = await twins.RegisterHomeAsync("s-stale");
        var (battery, _, _) = await ConnectBattery(site);
        await battery.Report(new TelemetryReading(1, Now, 0, 80, null, null, null));
        var fresh = await Eventually.Until(() => Client.GetGrain<ISiteGrain>(site).GetState(), s => s.Flexibility.UpKw > 0);
        fresh.Flexibility.UpKw.Should().Be(5);

        twins.Clock.Advance(Duration.FromSeconds(3.5));

        (await battery.GetState()).Status.Should().Be(DeviceStatus.Stale);
        var stale = await Client.GetGrain<ISiteGrain>(site).GetState();
        stale.Devices.Single(d => d.DeviceId == site + "-bat").Status.Should().Be(DeviceStatus.Stale);
        stale.Flexibility.Should().Be(FlexibilityView.None);
        stale.Status.Should().Be(SiteStatus.Stale);
    }

    [Fact]
    public async Task A_twin_whose_stream_was_written_by_someone_else_reloads_and_decides_again()
    {
        var site = await twins.RegisterHomeAsync("conflict");
        var battery = Client.GetGrain<IBatteryGrain>(site + "-bat");
        (await battery.GetCommands()).Should().BeEmpty(); // activate: the twin has loaded its stream

        // Another writer (a stale second activation, a tool) appends behind the twin's back.
        var key = Vpp.Persistence.Events.StreamKeys.Device(site + "-bat");
        var version = (await twins.Events.ReadAsync(key, 0)).Version;
        await twins.Events.AppendAsync(key, version, [new Vpp.Persistence.Events.SetpointIssued(
            site + "-bat", site, "cmd_external", 1, Now + Duration.FromMinutes(10), "external", 20, Now)]);

        // The twin's append conflicts; it reloads, sees the external command, supersedes it and lands after it.
        var issued = await battery.IssueSetpoint(new SetpointRequest(-2, Duration.FromMinutes(5), "after conflict"));
        var commands = await battery.GetCommands();
        commands.Select(c => (c.CommandId, c.Status)).Should().Equal(
            ("cmd_external", CommandStatus.Superseded), (issued.CommandId, CommandStatus.Pending));
        (await twins.Events.ReadAsync(key, 0)).Version.Should().Be(version + 3, "external issue, then superseded + issued");
    }

    [Fact]
    public async Task Unregistered_devices_are_refused_clearly()
    {
        var act = () => Client.GetGrain<IBatteryGrain>("nobody").GetState();
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not registered*");
    }
}

/// <summary>Its own cluster, so the fleet sums contain only this test's homes.</summary>
public class FleetAggregationTests : IAsyncLifetime
{
    private readonly TwinCluster _twins = new();
    public Task InitializeAsync() => _twins.InitializeAsync();
    public Task DisposeAsync() => _twins.DisposeAsync();

    [Fact]
    public async Task The_fleet_sums_site_reports_and_counts_silent_sites_as_offline()
    {
        var client = _twins.Client;
        var now = _twins.Clock.GetCurrentInstant();
        foreach (var (site, soc) in new[] { ("f-1", 60.0), ("f-2", 40.0) })
        {
            await _twins.RegisterHomeAsync(site);
            var battery = client.GetGrain<IBatteryGrain>(site + "-bat");
            await battery.Connect(client.CreateObjectReference<IDeviceConnection>(new RecordingConnection()));
            await battery.Report(new TelemetryReading(1, now, 0.5, soc, null, null, null));
        }
        await _twins.RegisterHomeAsync("f-3-never-connected");

        var fleet = await Eventually.Until(() => client.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary(),
            f => f.SitesOnline == 2);

        fleet.SitesTotal.Should().Be(3);
        fleet.SitesOnline.Should().Be(2);
        fleet.SitesOffline.Should().Be(1);
        fleet.StoredKwh.Should().BeApproximately(6 + 4, 1e-9);
        fleet.UpKw.Should().Be(10);
        fleet.BatteryKw.Should().BeApproximately(1.0, 1e-9);
        // Publishing is on the aggregator's timer, so it may come a tick after the sums are right.
        (await Eventually.Value(() => _twins.Live.Fleet.Count, n => n > 0))
            .Should().BeGreaterThan(0, "the aggregator publishes to live viewers");
    }
}
