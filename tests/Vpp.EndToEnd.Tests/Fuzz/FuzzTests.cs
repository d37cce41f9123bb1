using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Confluent.Kafka;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.EndToEnd.Tests.Kafka;
using Vpp.Host.Api;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Protocol;
using Vpp.Protocol.GridSignals;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Fuzz;

/// <summary>
/// Seeded malformed and mutated inputs on every surface, interleaved with valid traffic: no 5xx, no
/// error in the host's log, no consumer stall, every twin still answers, and every valid message sent
/// between the bad ones had its effect. <c>VPP_FUZZ_N</c> (inputs per surface, 10 000 here) and
/// <c>VPP_FUZZ_SEED</c> vary the run; <c>scripts/fuzz.sh</c> runs longer ones.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private static readonly int N = int.TryParse(Environment.GetEnvironmentVariable("VPP_FUZZ_N"), out var n) ? n : 10_000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("VPP_FUZZ_SEED"), out var s) ? s : 20261203;
    /// <summary>One valid input after this many bad ones.</summary>
    private const int ValidEvery = 10;

    private readonly ConfiguredVppHost _host = new(new Dictionary<string, string>
    {
        // The flood guard would close an attacker's socket long before 10 000 frames: the point here is what each frame does.
        ["Vpp:MaxMessagesPerSecond"] = "0",
        ["Vpp:MaxBadFramesPer10s"] = "100000000",
        ["Vpp:MaxRefusedUpgradesPerMinute"] = "100000000",
    });

    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
    }

    private void NoErrorsLogged() =>
        _host.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal))
            .Distinct().Take(10).Should().BeEmpty("a bad input is refused, never an error of the host");

    /// <summary>The host's warnings, for a failure message: what it was doing when it did not keep up.</summary>
    private string Warnings() => string.Join("\n", _host.Logs.Lines.Where(l => !l.Contains("Frequency reading of") && !l.Contains("Note:")).Distinct().Take(12));

    /// <summary>What a device received: error frames, and whether the refusal of the end marker came back.</summary>
    private sealed class Received
    {
        public int Errors;
        public Task Done = Task.CompletedTask;
    }

    /// <summary>Reads a socket until it closes, counting error frames.</summary>
    private static Received Drain(DeviceSocket socket)
    {
        var received = new Received();
        received.Done = Task.Run(async () =>
        {
            try
            {
                while (await socket.ReceiveAsync(timeoutMs: 600_000) is { } frame)
                    if (frame is ErrorMessage) Interlocked.Increment(ref received.Errors);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        });
        return received;
    }

    [Fact]
    public async Task Device_frames()
    {
        var attackerTokens = await _host.RegisterHomeAsync("fz-bad");
        var validTokens = await _host.RegisterHomeAsync("fz-good");
        var fuzz = new Mutator(Seed);
        await using var valid = await _host.ConnectAsync(validTokens["fz-good-bat"]);
        var validErrors = Drain(valid);
        var attacker = await _host.ConnectAsync(attackerTokens["fz-bad-bat"]);
        var drains = new List<Received> { Drain(attacker) };
        long seq = 0;
        var reconnects = 0;
        try
        {
            for (var i = 0; i < N; i++)
            {
                var template = fuzz.Next(3) switch
                {
                    0 => $$"""{"type":"telemetry","seq":{{i}},"ts":"{{Iso(Now)}}","powerKw":1.5,"socPct":50}""",
                    1 => """{"type":"hello","deviceId":"fz-bad-bat","firmware":"1.0"}""",
                    _ => """{"type":"ack","commandId":"cmd_0","status":"accepted","reason":"ok"}""",
                };
                if (attacker.Socket.State != WebSocketState.Open)
                {
                    // The server ended this one (1009 for an oversized message): every frame it read was answered.
                    // An oversized message closes the socket (1009): a device connects again.
                    attacker = await _host.ConnectAsync(attackerTokens["fz-bad-bat"]);
                    drains.Add(Drain(attacker));
                    reconnects++;
                }
                var input = fuzz.Mutate(template);
                try { await attacker.SendAsync(input); }
                catch (WebSocketException) { }
                // An oversized message ends the connection: wait for the server's close, as a device would, then connect again.
                if (Encoding.UTF8.GetByteCount(input) > DeviceMessageParser.MaxFrameBytes) await drains[^1].Done.WaitAsync(TimeSpan.FromSeconds(30));
                if (i % ValidEvery == 0)
                    await valid.SendJsonAsync(new { type = "telemetry", seq = ++seq, ts = Iso(Now), powerKw = 1.0 + seq % 3, socPct = 50.0 });
            }
        }
        finally
        {
            // A graceful close: the server answers every frame sent before it, then closes.
            try { await attacker.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None); }
            catch (WebSocketException) { }
        }
        await Task.WhenAll(drains.Select(d => d.Done)).WaitAsync(TimeSpan.FromSeconds(120));

        using var api = _host.Api();
        var twin = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/fz-good-bat"), t => t.Last?.Seq == seq, timeoutMs: 60_000);
        twin.Last!.PowerKw.Should().Be(1.0 + seq % 3);
        (await api.GetAsync("/api/devices/fz-bad-bat")).StatusCode.Should().Be(HttpStatusCode.OK, "the attacked twin still answers");
        valid.Socket.State.Should().Be(WebSocketState.Open, "the valid device was never disturbed");
        await valid.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        validErrors.Errors.Should().Be(0, "every valid frame was taken");
        drains.Sum(d => d.Errors).Should().BeGreaterThan(N / 2, $"most mutated frames were refused with an error frame ({reconnects} reconnects)");
        NoErrorsLogged();
    }

    [Fact]
    public async Task Kafka_messages()
    {
        await _host.RegisterHomeAsync("fz-k");
        await _host.RegisterHomeAsync("fz-kv");
        var fuzz = new Mutator(Seed + 1);
        using var kafka = new KafkaTestClient(_host.Service<KafkaEndpoint>().BootstrapServers);
        var start = Now - Duration.FromMinutes(1);
        long seq = 0;
        var lastHz = 50.0;
        for (var i = 0; i < N; i++)
        {
            var ts = Iso(start + Duration.FromMilliseconds(i));
            var (topic, key, type, template) = fuzz.Next(4) switch
            {
                0 => (KafkaTopics.Telemetry, "fz-k-bat", KafkaTopics.Telemetry,
                    $$"""{"type":"telemetry","deviceId":"fz-k-bat","seq":{{i}},"ts":"{{ts}}","powerKw":1.5,"socPct":50}"""),
                1 => (KafkaTopics.GridSignals, "fz-kr", GridSignalParser.FrequencyType, $$"""{"ts":"{{ts}}","hz":49.9}"""),
                2 => (KafkaTopics.GridSignals, "fz-kr", GridSignalParser.DispatchRequestType,
                    $$"""{"requestId":"fz-{{i}}","region":"fz-kr","startsAt":"{{Iso(Now + Duration.FromHours(1))}}","endsAt":"{{Iso(Now + Duration.FromHours(2))}}","powerKw":5,"priority":3}"""),
                _ => (KafkaTopics.GridSignals, "fz-kr", GridSignalParser.OperatingEnvelopeType,
                    $$"""{"siteId":"fz-k","importLimitKw":7,"exportLimitKw":5,"validFrom":"{{ts}}","validUntil":"{{Iso(Now + Duration.FromHours(1))}}"}"""),
            };
            // Keys and headers are input too.
            var mutatedKey = fuzz.Next(8) == 0 ? fuzz.Mutate("{\"k\":\"" + key + "\"}") : key;
            var headers = fuzz.Next(8) == 0 ? new Headers { { "ce_type", Encoding.UTF8.GetBytes(fuzz.Mutate("{\"t\":1}")) } } : KafkaTestClient.Ce(type).ToHeaders();
            await kafka.ProduceRawAsync(topic, mutatedKey, Encoding.UTF8.GetBytes(fuzz.Mutate(template)), headers);
            if (i % ValidEvery == 0)
            {
                await kafka.ProduceAsync(KafkaTopics.Telemetry, "fz-kv-bat",
                    new { type = "telemetry", deviceId = "fz-kv-bat", seq = ++seq, ts = ts, powerKw = 2.0, socPct = 60.0 }, KafkaTestClient.Ce(KafkaTopics.Telemetry));
                lastHz = Math.Round(49.95 + i / ValidEvery % 10 / 100.0, 3);
                await kafka.ProduceAsync(KafkaTopics.GridSignals, "fz-kv", new { ts = Iso(start + Duration.FromMilliseconds(i) + Duration.FromTicks(1)), hz = lastHz },
                    KafkaTestClient.Ce(GridSignalParser.FrequencyType));
            }
        }

        // No stall: both consumer groups reach the end of their topics.
        var options = new KafkaOptions();
        foreach (var (group, topic) in new[] { (TelemetryConsumer.Group, KafkaTopics.Telemetry), (GridSignalConsumer.Group, KafkaTopics.GridSignals) })
        {
            try
            {
                await kafka.WaitForCommittedAsync(options.ConsumerGroup(group), topic, options.Topics[topic].Partitions, timeoutMs: 120_000);
            }
            catch (EventuallyTimeoutException e)
            {
                throw new InvalidOperationException($"The {group} consumer stalled; the host logged:\n{Warnings()}", e);
            }
        }

        using var api = _host.Api();
        (await api.GetViewAsync<DeviceTwinState>("/api/devices/fz-kv-bat")).Last!.Seq.Should().Be(seq, "every valid reading was taken, the last one last");
        (await api.GetViewAsync<FrequencyResponseView>("/api/regions/fz-kv/frequency-response")).LastHz.Should().Be(lastHz);
        (await api.GetAsync("/api/devices/fz-k-bat")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.GetAsync("/api/regions/fz-kr/flexibility")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.GetAsync("/api/sites/fz-k")).StatusCode.Should().Be(HttpStatusCode.OK);
        NoErrorsLogged();
    }

    [Fact]
    public async Task Rest_bodies()
    {
        await _host.RegisterHomeAsync("fz-r");
        await _host.RegisterHomeAsync("fz-rv");
        var fuzz = new Mutator(Seed + 2);
        using var api = _host.Api();
        var templates = new (HttpMethod Method, string Path, string Body)[]
        {
            (HttpMethod.Post, "/api/sites", """{"siteId":"fz-new","name":"Home","timeZone":"Europe/Berlin","backupReservePct":20,"region":"fz-r"}"""),
            (HttpMethod.Post, "/api/sites/fz-r/devices", """{"deviceId":"fz-r-pv","kind":"solar","solar":{"ratedKw":6}}"""),
            (HttpMethod.Post, "/api/devices/fz-r-bat/setpoints", """{"powerKw":1,"validForSeconds":60,"reason":"fuzz"}"""),
            (HttpMethod.Post, "/api/dispatches", $$"""{"requestId":"fz-d","region":"fz-r","startsAt":"{{Iso(Now + Duration.FromHours(1))}}","endsAt":"{{Iso(Now + Duration.FromHours(2))}}","powerKw":2,"priority":3}"""),
            (HttpMethod.Put, "/api/regions/fz-r/frequency-response", $$"""{"committedKw":1,"mode":"local","until":"{{Iso(Now + Duration.FromHours(1))}}"}"""),
            (HttpMethod.Put, "/api/sites/fz-r/preferences", """{"backupReservePct":30,"participating":true}"""),
            (HttpMethod.Put, "/api/sites/fz-r/override", $$"""{"until":"{{Iso(Now + Duration.FromHours(1))}}","reason":"fuzz"}"""),
            (HttpMethod.Post, "/api/sites/fz-r/homeowners", """{"username":"fzowner","password":"correct horse battery"}"""),
            (HttpMethod.Post, "/api/homeowners/fzowner/password", """{"password":"correct horse battery"}"""),
        };
        var serverErrors = new List<string>();
        double lastReserve = 0;
        for (var i = 0; i < N; i++)
        {
            var (method, path, body) = templates[fuzz.Next(templates.Length)];
            var input = fuzz.Mutate(body);
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(input, Encoding.UTF8, "application/json") };
            var status = (int)(await api.SendAsync(request)).StatusCode;
            if (status >= 500) serverErrors.Add($"{status} {method} {path} {input[..Math.Min(input.Length, 200)]}");
            if (i % ValidEvery == 0)
            {
                lastReserve = 20 + i % 60;
                (await api.PutAsJsonAsync("/api/sites/fz-rv/preferences", new { backupReservePct = lastReserve, participating = true }))
                    .StatusCode.Should().Be(HttpStatusCode.OK);
            }
        }

        serverErrors.Should().BeEmpty();
        (await api.GetViewAsync<SiteView>("/api/sites/fz-rv")).BackupReservePct.Should().Be(lastReserve, "every valid change had its effect, the last one last");
        (await api.GetAsync("/api/sites/fz-r")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.GetAsync("/api/devices/fz-r-bat")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.GetAsync("/api/regions/fz-r/frequency-response")).StatusCode.Should().Be(HttpStatusCode.OK);
        NoErrorsLogged();
    }

    [Fact]
    public async Task Hub_methods()
    {
        await _host.RegisterHomeAsync("fz-h");
        var fuzz = new Mutator(Seed + 3);
        await using var hub = await _host.LiveAsync();
        var refused = 0;
        for (var i = 0; i < N; i++)
        {
            var id = fuzz.Mutate("""{"siteId":"fz-h"}""");
            try
            {
                switch (fuzz.Next(3))
                {
                    // Up to 4 000 characters: past the hub's 32 KB message limit a connection is closed, by design.
                    case 0: await hub.InvokeAsync<object>("JoinSite", id[..Math.Min(id.Length, 4_000)]); break;
                    case 1: await hub.InvokeAsync("LeaveSite", id[..Math.Min(id.Length, 4_000)]); break;
                    default: await hub.InvokeAsync<object>("JoinSite", id.Length > 0 ? id[..Math.Min(id.Length, 64)] : id); break;
                }
            }
            catch (HubException)
            {
                refused++;
            }
            if (i % ValidEvery == 0)
                (await hub.InvokeAsync<Vpp.Contracts.Sites.SiteState>("JoinSite", "fz-h")).SiteId.Should().Be("fz-h");
        }

        hub.State.Should().Be(HubConnectionState.Connected, "no input broke the connection");
        refused.Should().BeGreaterThan(0);
        (await hub.InvokeAsync<Vpp.Contracts.Fleet.FleetSummary>("JoinFleet")).Should().NotBeNull();
        NoErrorsLogged();
    }
}
