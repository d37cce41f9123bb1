using System.Net.WebSockets;
using Vpp.Host.Api;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

public sealed class TwoHostTokenTests
{
    [Fact]
    public async Task A_token_rotated_on_one_host_stops_working_on_the_other_at_once()
    {
        var db = await TestPostgres.CreateDatabaseAsync("tokens");
        await using var a = await HostProcess.StartAsync(db);
        await using var b = await HostProcess.StartAsync(db);
        using var apiA = a.Api();
        var tokens = await TestHomes.RegisterAsync(apiA, "two-host");

        // Registered through A, the device can connect to B.
        await using (await DeviceSocket.ConnectAsync(b.DeviceEndpoint, tokens["two-host-pv"])) { }

        var rotated = await apiA.PostAsync("/api/devices/two-host-pv/token", null);
        var fresh = (await rotated.ReadViewAsync<TokenIssued>()).Token;
        var revoked = await apiA.DeleteAsync("/api/devices/two-host-meter/token");
        revoked.IsSuccessStatusCode.Should().BeTrue();

        foreach (var stale in new[] { tokens["two-host-pv"], tokens["two-host-meter"] })
        {
            using var ws = new ClientWebSocket();
            ws.Options.SetRequestHeader("Authorization", "Bearer " + stale);
            var connect = () => ws.ConnectAsync(b.DeviceEndpoint, CancellationToken.None);
            (await connect.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("401");
        }
        await using (await DeviceSocket.ConnectAsync(b.DeviceEndpoint, fresh)) { }
    }
}
