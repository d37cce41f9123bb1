using System.Net;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Topics;
using Vpp.EndToEnd.Tests.Durable;
using Vpp.Host.Api;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>Dispatch events go to the event store first and to Kafka from there (Marten subscription).</summary>
public sealed class KafkaOutboxTests(PostgresVppHost host) : IClassFixture<PostgresVppHost>
{
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();

    private static readonly Instant Start = Now + Duration.FromMinutes(10);

    private static object Request(string id) => new
    {
        requestId = id, region = "DE-N", startsAt = Iso(Start), endsAt = Iso(Start + Duration.FromMinutes(30)), powerKw = 120.0, priority = 2,
    };

    [Fact]
    public async Task Telemetry_from_kafka_is_in_the_history_table_when_its_offsets_are_committed()
    {
        // Periodic history writes effectively off: only the consumer's write-before-commit can put the rows there.
        await using var host = new ConfiguredVppHost(new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = await Vpp.Tests.Shared.TestPostgres.CreateDatabaseAsync("khist"),
            ["Vpp:History:FlushIntervalSeconds"] = "3600",
            ["Vpp:TelemetryIntervalMs"] = "10000",
        });
        await host.RegisterHomeAsync("khist");
        var kafka = host.Service<KafkaEndpoint>();
        using var client = new KafkaTestClient(kafka.BootstrapServers);
        var minute = Instant.FromUnixTimeSeconds((Now - Duration.FromMinutes(30)).ToUnixTimeSeconds() / 60 * 60);
        for (var i = 0; i < 6; i++)
            await client.ProduceAsync(KafkaTopics.Telemetry, "khist-bat", new
            {
                type = "telemetry", deviceId = "khist-bat", seq = i + 1, ts = Iso(minute + Duration.FromSeconds(10 * i)), powerKw = 3.0, socPct = 70.0 - i,
            }, KafkaTestClient.Ce(MessageTypes.Telemetry));

        // Committed offsets of the host's group reach the end of what was produced...
        var partitions = new KafkaOptions().Topics[KafkaTopics.Telemetry].Partitions;
        var group = new KafkaOptions().ConsumerGroup(TelemetryConsumer.Group);
        await client.WaitForCommittedAsync(group, KafkaTopics.Telemetry, partitions);
        client.Committed(group, KafkaTopics.Telemetry, partitions).Should().Be(client.End(KafkaTopics.Telemetry, partitions));

        // ...and by then the readings are in the history table (written before the commit).
        using var api = host.Api();
        var history = (await api.GetViewAsync<SiteHistoryView>(
            $"/api/sites/khist/history?from={Iso(minute)}&to={Iso(minute + Duration.FromMinutes(1))}&resolution=1m")).Points;
        history.Should().ContainSingle();
        history[0].Battery.PositiveKwh.Should().BeApproximately(3.0 * 60 / 3600, 1e-9, "six 10-second readings at 3 kW");
        history[0].SocPctEnd.Should().Be(65);
    }

    [Fact]
    public async Task A_kafka_outage_delays_dispatch_events_and_loses_none_each_arrives_once()
    {
        var kafka = host.Service<KafkaEndpoint>();
        using var api = host.Api();
        var prefix = "out-" + Guid.NewGuid().ToString("N")[..6];
        (await api.PostAsJsonAsync("/api/dispatches", Request(prefix + "-0"))).StatusCode.Should().Be(HttpStatusCode.Created);

        kafka.Embedded!.SetBrokerDown(1);
        var ids = Enumerable.Range(1, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var id in ids)
            (await api.PostAsJsonAsync("/api/dispatches", Request(id))).StatusCode.Should().Be(HttpStatusCode.Created, "decisions do not wait for Kafka");
        (await api.PostAsJsonAsync("/api/dispatches", Request(ids[0]))).StatusCode.Should().Be(HttpStatusCode.OK, "a repeated request is a duplicate");
        using var client = new KafkaTestClient(kafka.BootstrapServers);
        client.ReadAll(KafkaTopics.Dispatch, _ => false, timeoutMs: 3000)
            .Should().NotContain(r => ids.Contains(r.Message.Key), "the broker is down: nothing gets through");
        kafka.Embedded.SetBrokerUp(1);

        var all = ids.Prepend(prefix + "-0").ToHashSet();
        // Each request is received and then rejected (no sites in DE-N): two decisions per id.
        var seen = client.ReadAll(KafkaTopics.Dispatch, r => all.All(id => r.Count(m => m.Message.Key == id) >= 2), timeoutMs: 60_000)
            .Where(r => all.Contains(r.Message.Key)).ToList();
        seen.Select(r => r.Message.Key).Should().BeEquivalentTo(all.Concat(all), "every decision arrives, once");
        seen.Select(r => KafkaTestClient.Header(r, "ce_id")).Should().OnlyHaveUniqueItems();
        seen.Where(r => KafkaTestClient.Header(r, "ce_type") == MessageTypes.DispatchRejected).Select(r => r.Body<DispatchRejectedMessage>().Reason)
            .Should().AllBe("no participating sites");
        foreach (var r in seen.Where(r => KafkaTestClient.Header(r, "ce_type") != MessageTypes.DispatchRejected))
        {
            KafkaTestClient.Header(r, "ce_type").Should().Be("vpp.dispatch.received.v1");
            KafkaTestClient.Header(r, "ce_specversion").Should().Be("1.0");
            KafkaTestClient.Header(r, "content-type").Should().Be("application/json");
            var body = r.Body<DispatchReceivedMessage>();
            body.RequestId.Should().Be(r.Message.Key);
            body.Status.Should().Be("received");
            body.PowerKw.Should().Be(120);
        }
    }
}
