using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Host.Api;
using Vpp.Persistence.ReadModels;
using Vpp.Protocol;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>Two host processes, one after the other, on one PostgreSQL database.</summary>
public sealed class RestartTests
{
    private static string Now => InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant());

    [Fact]
    public async Task A_new_host_process_rebuilds_twins_tokens_and_command_history_from_the_event_store()
    {
        var db = await TestPostgres.CreateDatabaseAsync("restart");
        string commandId, newMeterToken;
        Dictionary<string, string> tokens;

        await using (var first = await HostProcess.StartAsync(db))
        {
            using var api = first.Api();
            tokens = await TestHomes.RegisterAsync(api, "r-home", reservePct: 25);
            (await api.PutAsJsonAsync("/api/sites/r-home/preferences", new { backupReservePct = 30, participating = false }))
                .StatusCode.Should().Be(HttpStatusCode.OK);

            await using var battery = await DeviceSocket.ConnectAsync(first.DeviceEndpoint, tokens["r-home-bat"]);
            await battery.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Now, powerKw = 0.0, socPct = 60.0 });
            // The reading is in (a setpoint is checked against the battery's SoC).
            await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/r-home-bat"), j => j.Last is not null);
            var issued = await api.PostAsJsonAsync("/api/devices/r-home-bat/setpoints", new { powerKw = -2.0, validForSeconds = 900, reason = "restart test" });
            issued.StatusCode.Should().Be(HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
            var setpoint = (await battery.ReceiveAsync()).Should().BeOfType<SetpointMessage>().Subject;
            commandId = setpoint.CommandId;
            setpoint.MinSocPct.Should().Be(30);
            await battery.SendJsonAsync(new { type = "ack", commandId, status = "accepted" });
            await WaitForStatus(api, commandId, CommandStatus.Accepted);

            var rotated = await api.PostAsync("/api/devices/r-home-meter/token", null);
            newMeterToken = (await rotated.ReadViewAsync<TokenIssued>()).Token;
            await first.KillAsync(); // SIGKILL: whatever was only in memory is gone
        }

        await using var second = await HostProcess.StartAsync(db);
        using var api2 = second.Api();

        // The device token still authenticates, and the accepted, still-valid setpoint is re-sent on connect.
        await using (var battery = await DeviceSocket.ConnectAsync(second.DeviceEndpoint, tokens["r-home-bat"]))
        {
            (await battery.ReceiveAsync()).Should().BeOfType<SetpointMessage>().Which.CommandId.Should().Be(commandId);
        }
        // The rotation survived: old meter token refused, new one accepted.
        var old = new ClientWebSocket();
        old.Options.SetRequestHeader("Authorization", "Bearer " + tokens["r-home-meter"]);
        var refused = () => old.ConnectAsync(second.DeviceEndpoint, CancellationToken.None);
        (await refused.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("401");
        await using (await DeviceSocket.ConnectAsync(second.DeviceEndpoint, newMeterToken)) { }

        // The site twin is rebuilt from its stream: devices, reserve and participation.
        var site = await api2.GetViewAsync<SiteView>("/api/sites/r-home");
        site.Devices.Should().HaveCount(3);
        site.BackupReservePct.Should().Be(30);
        site.Participating.Should().BeFalse();
        (await api2.GetAsync("/api/sites/r-home/state")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Command log in the twin and in the read model; the timeline holds every decision.
        var commands = (await api2.GetViewAsync<CommandsView>("/api/devices/r-home-bat/commands")).Commands;
        commands.Should().ContainSingle(c => c.CommandId == commandId);
        var history = await Eventually.Until(() => api2.GetViewAsync<ResultPage<CommandHistoryEntryView>>("/api/devices/r-home-bat/command-history"),
            h => h.Items.Any(c => c.Outcome == "accepted"));
        history.Items.Single().Id.Should().Be(commandId);
        var timeline = await Eventually.Until(() => api2.GetViewAsync<ResultPage<TimelineEntryView>>("/api/sites/r-home/timeline?take=50"),
            t => t.Total >= 8);
        timeline.Items.Select(i => i.Type).Should().Contain(
            ["SiteRegistered", "DeviceAddedToSite", "PreferencesChanged", "SetpointIssued", "SetpointAcknowledged", "DeviceTokenRotated"]);
    }

    private static async Task WaitForStatus(HttpClient api, string commandId, CommandStatus status)
    {
        await Eventually.Until(() => api.GetViewAsync<CommandsView>("/api/devices/r-home-bat/commands"),
            c => c.Commands.Any(x => x.CommandId == commandId && x.Status == status));
    }
}
