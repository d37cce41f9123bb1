using Vpp.Tests.Shared;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Sites;

namespace Vpp.Grains.Tests;

/// <summary>
/// The baseline a dispatch records before its setpoints go out is the one the site takes the share
/// on, even when its battery already runs a setpoint from a start a dead host sent.
/// </summary>
public class DispatchBaselineTests(TwinCluster twins) : IClassFixture<TwinCluster>
{
    private IClusterClient Client => twins.Client;
    private Instant Now => twins.Clock.GetCurrentInstant();

    private async Task<(ISiteGrain Site, IBatteryGrain Battery, RecordingConnection Connection)> HomeRunning(string siteId, double batteryKw, long seq)
    {
        await twins.RegisterHomeAsync(siteId);
        var battery = Client.GetGrain<IBatteryGrain>(siteId + "-bat");
        var connection = new RecordingConnection();
        await battery.Connect(Client.CreateObjectReference<IDeviceConnection>(connection));
        await battery.Report(new TelemetryReading(seq, Now, batteryKw, 80, null, null, null));
        var site = Client.GetGrain<ISiteGrain>(siteId);
        await Eventually.Until(() => site.GetState(), s => s.BatteryKw == batteryKw);
        return (site, battery, connection);
    }

    [Fact]
    public async Task A_share_placed_on_a_recorded_baseline_lands_on_it_not_on_the_running_setpoint()
    {
        var order = new SiteDispatchOrder("d-rec", Up: true, DeltaKw: 2, Now, Now + Duration.FromMinutes(10));
        // Before the setpoints: the battery covers the home's 1 kW.
        var (site, battery, connection) = await HomeRunning("s-recorded", batteryKw: 1, seq: 1);
        var recorded = await site.DispatchBaseline(order);
        recorded!.BatteryKw.Should().ContainKey("s-recorded-bat").WhoseValue.Should().Be(1);

        // The lost start's setpoint runs (1 + 2 kW) when the next host places the share again.
        await battery.Report(new TelemetryReading(2, Now, 3, 80, null, null, null));
        await Eventually.Until(() => site.GetState(), s => s.BatteryKw == 3);
        (await site.Dispatch(order with { Baseline = recorded })).FailureReason.Should().BeNull();

        connection.Setpoints.Last().PowerKw.Should().Be(3, "recorded baseline 1 kW + share 2 kW, not the running 3 kW + 2 kW");
    }

    [Fact]
    public async Task Without_a_recorded_baseline_the_site_takes_what_its_battery_runs()
    {
        // The control for the test above: the same order without the record lands on the running power.
        var (site, _, connection) = await HomeRunning("s-unrecorded", batteryKw: 3, seq: 1);
        var order = new SiteDispatchOrder("d-unrec", Up: true, DeltaKw: 2, Now, Now + Duration.FromMinutes(10));
        (await site.DispatchBaseline(order))!.BatteryKw["s-unrecorded-bat"].Should().Be(3);

        (await site.Dispatch(order)).FailureReason.Should().BeNull();

        connection.Setpoints.Last().PowerKw.Should().Be(5);
    }

    [Fact]
    public async Task An_unregistered_site_has_no_baseline()
    {
        var order = new SiteDispatchOrder("d-none", Up: true, DeltaKw: 2, Now, Now + Duration.FromMinutes(10));
        (await Client.GetGrain<ISiteGrain>("s-nobody").DispatchBaseline(order)).Should().BeNull();
    }

    [Fact]
    public async Task Two_dispatches_on_one_site_run_as_the_net_of_their_shares_and_the_longer_is_reissued_when_the_shorter_ends()
    {
        // The battery covers the home's 1 kW. A: 2 kW up for 10 min. B: 1 kW down for 5 min. Together: 1 + 2 − 1 = 2 kW.
        var (site, _, connection) = await HomeRunning("s-two", batteryKw: 1, seq: 1);
        var a = new SiteDispatchOrder("d-a", Up: true, DeltaKw: 2, Now, Now + Duration.FromMinutes(10));
        var b = new SiteDispatchOrder("d-b", Up: false, DeltaKw: 1, Now, Now + Duration.FromMinutes(5));
        (await site.Dispatch(a)).FailureReason.Should().BeNull();
        connection.Setpoints.Last().PowerKw.Should().Be(3);

        (await site.Dispatch(b)).FailureReason.Should().BeNull();
        var both = connection.Setpoints.Last();
        both.PowerKw.Should().Be(2, "baseline 1 kW + 2 up − 1 down");
        both.ValidUntil.Should().Be(Now + Duration.FromMinutes(5), "until the first of them ends");
        both.Reason.Should().Be("dispatch d-a,d-b");

        await site.EndDispatch("d-b", early: false);
        var again = connection.Setpoints.Last();
        again.PowerKw.Should().Be(3, "A alone again, on the same baseline");
        again.ValidUntil.Should().Be(Now + Duration.FromMinutes(10));
        again.Reason.Should().Be("dispatch d-a");
    }

    [Fact]
    public async Task A_dispatch_ended_early_sends_each_battery_its_baseline_for_one_second()
    {
        var (site, _, connection) = await HomeRunning("s-early", batteryKw: 1, seq: 1);
        var order = new SiteDispatchOrder("d-early", Up: true, DeltaKw: 2, Now, Now + Duration.FromMinutes(10));
        (await site.Dispatch(order)).FailureReason.Should().BeNull();
        connection.Setpoints.Last().PowerKw.Should().Be(3);

        await site.EndDispatch("d-early", early: true);
        var release = connection.Setpoints.Last();
        release.PowerKw.Should().Be(1, "the battery's baseline");
        release.ValidUntil.Should().Be(Now + Duration.FromSeconds(1));
        release.Reason.Should().Be("dispatch ended early");
    }
}
