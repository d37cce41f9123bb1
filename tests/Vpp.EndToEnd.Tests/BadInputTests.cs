using Vpp.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Host.Api;
using Vpp.Protocol;

namespace Vpp.EndToEnd.Tests;

public class BadInputTests(VppHost host) : IClassFixture<VppHost>
{
    private static string Ts => InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant());
    private static string Future => InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));

    public static TheoryData<string, string> BadFrames => new()
    {
        { "this is not json", ProtocolErrors.InvalidJson },
        { "{\"type\":\"telemetry\",\"seq\":\"one\",\"ts\":\"TS\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.InvalidField },
        { "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"TS\",\"powerKw\":NaN,\"socPct\":50}", ProtocolErrors.NonFiniteNumber },
        { "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"TS\",\"powerKw\":\"Infinity\",\"socPct\":50}", ProtocolErrors.NonFiniteNumber },
        { "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"TS\",\"powerKw\":1,\"socPct\":101}", ProtocolErrors.SocOutOfRange },
        { "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"TS\",\"powerKw\":7.6,\"socPct\":50}", ProtocolErrors.PowerOutOfRange },
        { "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"FUTURE\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.TimestampInFuture },
        { "{\"type\":\"hello\",\"deviceId\":\"somebody-else\"}", ProtocolErrors.DeviceIdMismatch },
        { "{\"type\":\"selfdestruct\"}", ProtocolErrors.UnknownType },
        { "{\"type\":\"ack\",\"commandId\":\"cmd_never_issued\",\"status\":\"accepted\"}", ProtocolErrors.UnknownCommand },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_bad_frame_gets_its_error_code_and_the_connection_stays_usable(string frame, string code)
    {
        var tokens = await host.RegisterHomeAsync("bad-" + Guid.NewGuid().ToString("N")[..8]);
        var batteryId = tokens.Keys.Single(k => k.EndsWith("-bat"));
        await using var device = await host.ConnectAsync(tokens[batteryId]);
        var before = Errors(code);

        await device.SendAsync(frame.Replace("\"TS\"", $"\"{Ts}\"").Replace("\"FUTURE\"", $"\"{Future}\""));

        (await device.ReceiveAsync()).Should().BeOfType<ErrorMessage>().Which.Code.Should().Be(code);
        Errors(code).Should().BeGreaterThan(before, "every refusal is counted in a metric");

        // Nothing else is lost: the same connection still delivers a good reading.
        await device.SendJsonAsync(new { type = "telemetry", seq = 1, ts = Ts, powerKw = 1.0, socPct = 50.0 });
        using var api = host.Api();
        await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>($"/api/devices/{batteryId}"), j => j.Last is not null);
        device.Socket.State.Should().Be(WebSocketState.Open);
    }

    private long Errors(string code) =>
        host.Service<Vpp.Host.Devices.GatewayMetrics>().ErrorsByCode.GetValueOrDefault(code);

    [Fact]
    public async Task A_binary_frame_is_refused_without_closing()
    {
        var tokens = await host.RegisterHomeAsync("bad-bin");
        await using var device = await host.ConnectAsync(tokens["bad-bin-bat"]);

        await device.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary);
        (await device.ReceiveAsync()).Should().BeOfType<ErrorMessage>().Which.Code.Should().Be(ProtocolErrors.BinaryNotSupported);

        device.Socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task An_oversized_message_is_refused_and_the_connection_closed_with_1009()
    {
        var tokens = await host.RegisterHomeAsync("bad-size");
        await using var device = await host.ConnectAsync(tokens["bad-size-bat"]);

        await device.SendAsync("{\"type\":\"hello\",\"deviceId\":\"bad-size-bat\",\"pad\":\"" + new string('x', 17 * 1024) + "\"}");

        (await device.ReceiveAsync()).Should().BeOfType<ErrorMessage>().Which.Code.Should().Be(ProtocolErrors.FrameTooLarge);
        (await device.ClosedWithAsync()).Should().Be((int)WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task A_message_that_never_ends_is_closed_with_1009_at_the_limit()
    {
        var tokens = await host.RegisterHomeAsync("bad-endless");
        await using var device = await host.ConnectAsync(tokens["bad-endless-bat"]);
        var chunk = Encoding.UTF8.GetBytes(new string(' ', 1024));

        // 1 KiB continuation frames without FIN, past the 16 KiB limit: before, the server drained them
        // a byte at a time for as long as they came, and the flood guard never counted them.
        for (var i = 0; i < 17 && device.Socket.State == WebSocketState.Open; i++)
            await device.Socket.SendAsync(chunk, WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);

        (await device.ReceiveAsync()).Should().BeOfType<ErrorMessage>().Which.Code.Should().Be(ProtocolErrors.FrameTooLarge);
        (await device.ClosedWithAsync()).Should().Be((int)WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task A_flood_of_bad_frames_closes_with_1008()
    {
        var tokens = await host.RegisterHomeAsync("bad-flood");
        await using var device = await host.ConnectAsync(tokens["bad-flood-bat"]);
        for (var i = 0; i < 25; i++) await device.SendAsync("nope");
        (await device.ClosedWithAsync()).Should().Be(ProtocolCloseCodes.PolicyViolation);
    }

    [Fact]
    public async Task A_flood_of_messages_closes_with_1008()
    {
        var tokens = await host.RegisterHomeAsync("msg-flood");
        await using var device = await host.ConnectAsync(tokens["msg-flood-bat"]);
        try
        {
            // Burst 200, sustained 50/s: 400 frames back to back exceed it.
            for (var seq = 1; seq <= 400; seq++)
                await device.SendAsync($"{{\"type\":\"telemetry\",\"seq\":{seq},\"ts\":\"{Ts}\",\"powerKw\":1,\"socPct\":50}}");
        }
        catch (WebSocketException) { }
        (await device.ClosedWithAsync()).Should().Be(ProtocolCloseCodes.PolicyViolation);
    }

    [Fact]
    public async Task Missing_unknown_revoked_and_rotated_tokens_get_401_before_the_upgrade()
    {
        var tokens = await host.RegisterHomeAsync("auth-home");

        (await Upgrade(null)).Should().Be(HttpStatusCode.Unauthorized);
        (await Upgrade("vppd_not-a-real-token")).Should().Be(HttpStatusCode.Unauthorized);

        using var api = host.Api();
        await using (var live = await host.ConnectAsync(tokens["auth-home-bat"]))
        {
            var rotated = await api.PostAsync("/api/devices/auth-home-bat/token", null);
            var newToken = (await rotated.ReadViewAsync<TokenIssued>()).Token;
            (await live.ClosedWithAsync()).Should().Be(ProtocolCloseCodes.TokenRevoked, "a live connection on the old token is ended");
            (await Upgrade(tokens["auth-home-bat"])).Should().Be(HttpStatusCode.Unauthorized);
            await using var fresh = await host.ConnectAsync(newToken);
            (await api.DeleteAsync("/api/devices/auth-home-bat/token")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await fresh.ClosedWithAsync()).Should().Be(ProtocolCloseCodes.TokenRevoked);
            (await Upgrade(newToken)).Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_refused_upgrade_says_bearer_and_why_in_a_problem_body()
    {
        using var http = new HttpClient();
        var endpoint = new UriBuilder(host.DeviceEndpoint) { Scheme = host.DeviceEndpoint.Scheme == "wss" ? "https" : "http" }.Uri;
        foreach (var (token, detail) in new[] { ((string?)null, "Send 'Authorization: Bearer <device token>'"), ("vppd_nope", "unknown, rotated or revoked") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
            if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var res = await http.SendAsync(request);
            res.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            res.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
            res.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            var problem = await res.ReadViewAsync<ProblemDetails>();
            problem.Title.Should().Be("Device token required");
            problem.Detail.Should().Contain(detail);
        }
    }

    /// <summary>Tries a WebSocket upgrade and returns the HTTP status the server answered.</summary>
    private async Task<HttpStatusCode> Upgrade(string? token)
    {
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (token is not null) ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        try
        {
            await ws.ConnectAsync(host.DeviceEndpoint, CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return ws.HttpStatusCode;
        }
    }

    [Fact]
    public async Task A_second_connection_replaces_the_first_with_close_code_4000()
    {
        var tokens = await host.RegisterHomeAsync("replace-home");
        await using var first = await host.ConnectAsync(tokens["replace-home-bat"]);
        await using var second = await host.ConnectAsync(tokens["replace-home-bat"]);
        (await first.ClosedWithAsync()).Should().Be(ProtocolCloseCodes.Replaced);
        second.Socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task The_operator_api_requires_its_key_and_answers_problems()
    {
        using var plain = new HttpClient { BaseAddress = host.BaseAddress };
        (await plain.GetAsync("/api/fleet")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var api = host.Api();
        var invalid = await api.PostAsJsonAsync("/api/sites", new { siteId = "has space", name = "", timeZone = "Mars/Base", backupReservePct = 120 });
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        invalid.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await invalid.ReadViewAsync<HttpValidationProblemDetails>()).Errors.Keys.Should().BeEquivalentTo("siteId", "name", "timeZone", "backupReservePct");

        var malformed = await api.PostAsync("/api/sites", new StringContent("{not json", Encoding.UTF8, "application/json"));
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        (await api.GetAsync("/api/sites/nowhere")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await host.RegisterHomeAsync("api-home");
        (await api.PostAsJsonAsync("/api/sites", new { siteId = "api-home", name = "dup", timeZone = "Europe/Berlin", backupReservePct = 10 }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict);
        var battery = await api.PostAsJsonAsync("/api/sites/api-home/devices", new { deviceId = "x-bat", kind = "battery", battery = new { capacityKwh = -1, maxChargeKw = 5, maxDischargeKw = 5, roundTripEfficiency = 1.5 } });
        battery.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var tooMuch = await api.PostAsJsonAsync("/api/devices/api-home-bat/setpoints", new { powerKw = 9, validForSeconds = 60 });
        tooMuch.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await tooMuch.ReadViewAsync<ProblemDetails>()).Detail.Should().Contain("max discharge");
        (await api.PostAsJsonAsync("/api/devices/api-home-pv/setpoints", new { powerKw = 1, validForSeconds = 60 }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await api.GetAsync("/api/sites?take=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_api_is_described_by_an_openapi_document_and_a_browsable_page()
    {
        using var plain = new HttpClient { BaseAddress = host.BaseAddress };
        // Read by key: the document is OpenAPI's format, not one of the API's own types.
        var doc = await plain.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        doc!["paths"]!.AsObject().Select(p => p.Key).Should().Contain(["/api/sites", "/api/sites/{siteId}/devices", "/api/devices/{deviceId}/setpoints", "/api/fleet"]);
        var page = await plain.GetStringAsync("/api-docs/");
        page.Should().Contain("openapi/v1.json").And.NotContain("https://", "the UI is served locally, without a CDN");
    }
}
