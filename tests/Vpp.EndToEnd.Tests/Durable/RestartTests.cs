using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
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
            await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonObject>("/api/devices/r-home-bat"))!, j => j["last"] is JsonObject);
            var issued = await api.PostAsJsonAsync("/api/devices/r-home-bat/setpoints", new { powerKw = -2.0, validForSeconds = 900, reason = "restart test" });
            issued.StatusCode.Should().Be(HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
            var setpoint = await battery.ReceiveAsync();
            commandId = setpoint!["commandId"]!.GetValue<string>();
            setpoint["minSocPct"]!.GetValue<double>().Should().Be(30);
            await battery.SendJsonAsync(new { type = "ack", commandId, status = "accepted" });
            await WaitForStatus(api, commandId, "accepted");

            var rotated = await api.PostAsync("/api/devices/r-home-meter/token", null);
            newMeterToken = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
            await first.KillAsync(); // SIGKILL: whatever was only in memory is gone
        }

        await using var second = await HostProcess.StartAsync(db);
        using var api2 = second.Api();

        // The device token still authenticates, and the accepted, still-valid setpoint is re-sent on connect.
        await using (var battery = await DeviceSocket.ConnectAsync(second.DeviceEndpoint, tokens["r-home-bat"]))
        {
            var resent = await battery.ReceiveAsync();
            resent!["type"]!.GetValue<string>().Should().Be("setpoint");
            resent["commandId"]!.GetValue<string>().Should().Be(commandId);
        }
        // The rotation survived: old meter token refused, new one accepted.
        var old = new ClientWebSocket();
        old.Options.SetRequestHeader("Authorization", "Bearer " + tokens["r-home-meter"]);
        var refused = () => old.ConnectAsync(second.DeviceEndpoint, CancellationToken.None);
        (await refused.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("401");
        await using (await DeviceSocket.ConnectAsync(second.DeviceEndpoint, newMeterToken)) { }

        // The site twin is rebuilt from its stream: devices, reserve and participation.
        var site = (await api2.GetFromJsonAsync<JsonObject>("/api/sites/r-home"))!;
        site["devices"]!.AsArray().Should().HaveCount(3);
        site["backupReservePct"]!.GetValue<double>().Should().Be(30);
        site["participating"]!.GetValue<bool>().Should().BeFalse();
        (await api2.GetAsync("/api/sites/r-home/state")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Command log in the twin and in the read model; the timeline holds every decision.
        var commands = (await api2.GetFromJsonAsync<JsonObject>("/api/devices/r-home-bat/commands"))!["commands"]!.AsArray();
        commands.Should().ContainSingle(c => c!["commandId"]!.GetValue<string>() == commandId);
        var history = await Eventually.Until(async () => (await api2.GetFromJsonAsync<JsonObject>("/api/devices/r-home-bat/command-history"))!,
            h => h["items"]!.AsArray().Any(c => c!["outcome"]!.GetValue<string>() == "accepted"));
        history["items"]!.AsArray().Single()!["id"]!.GetValue<string>().Should().Be(commandId);
        var timeline = await Eventually.Until(async () => (await api2.GetFromJsonAsync<JsonObject>("/api/sites/r-home/timeline?take=50"))!,
            t => t["total"]!.GetValue<long>() >= 8);
        timeline["items"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()).Should().Contain(
            ["SiteRegistered", "DeviceAddedToSite", "PreferencesChanged", "SetpointIssued", "SetpointAcknowledged", "DeviceTokenRotated"]);
    }

    private static async Task WaitForStatus(HttpClient api, string commandId, string status)
    {
        await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonObject>("/api/devices/r-home-bat/commands"))!,
            c => c["commands"]!.AsArray().Any(x => x!["commandId"]!.GetValue<string>() == commandId && x["status"]!.GetValue<string>() == status));
    }
}
