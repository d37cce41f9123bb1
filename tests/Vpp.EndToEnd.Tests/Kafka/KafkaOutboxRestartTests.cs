using System.Net;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Messaging.Embedded;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Kafka;

public sealed class KafkaOutboxRestartTests
{
    [Fact]
    public async Task Events_decided_during_an_outage_by_a_host_that_then_stops_are_published_by_the_next_host()
    {
        using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopics(new KafkaOptions());
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = await TestPostgres.CreateDatabaseAsync("outbox"),
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:ProvisionTopics"] = "false",
        };
        var start = SystemClock.Instance.GetCurrentInstant() + Duration.FromMinutes(10);
        var ids = Enumerable.Range(1, 4).Select(i => $"restart-{i}").ToList();

        cluster.SetBrokerDown(1);
        await using (var first = new ConfiguredVppHost(settings))
        {
            using var api = first.Api();
            foreach (var id in ids)
                (await api.PostAsJsonAsync("/api/dispatches", new
                {
                    requestId = id, region = "DE-N", startsAt = InstantPattern.ExtendedIso.Format(start),
                    endsAt = InstantPattern.ExtendedIso.Format(start + Duration.FromMinutes(15)), powerKw = 50.0, priority = 1,
                })).StatusCode.Should().Be(HttpStatusCode.Created);
            // Every request decided (no sites in DE-N: rejected) before the host stops.
            foreach (var id in ids)
                await Eventually.Until(async () => (await api.GetViewAsync<DispatchView>($"/api/dispatches/{id}")).Status,
                    status => status == DispatchStatus.Rejected);
        } // stopped while Kafka was unreachable: nothing could be published
        cluster.SetBrokerUp(1);

        await using var second = new ConfiguredVppHost(settings);
        using var client = new KafkaTestClient(cluster.BootstrapServers);
        // Each request is received and, with no sites in DE-N, rejected: two decisions per id.
        var seen = client.ReadAll(KafkaTopics.Dispatch,
            r => ids.All(id => r.Where(m => m.Message.Key == id).Select(m => KafkaTestClient.Header(m, "ce_id")).Distinct().Count() == 2), timeoutMs: 60_000);
        // At-least-once: the stopping host may still have delivered some messages whose acknowledgement it
        // never recorded, so the next host sends them again — with the same ce_id. Deduplicated by ce_id,
        // every decision arrives exactly once.
        var byCeId = seen.GroupBy(r => KafkaTestClient.Header(r, "ce_id")).ToList();
        byCeId.Should().OnlyContain(g => g.Select(r => r.Message.Key).Distinct().Count() == 1, "a ce_id always names the same event");
        byCeId.Select(g => g.First().Message.Key).Should().BeEquivalentTo(ids.Concat(ids), "the second host's outbox published what the first decided, once per ce_id");
        byCeId.Select(g => KafkaTestClient.Header(g.First(), "ce_type")).Should().BeEquivalentTo(
            ids.Select(_ => MessageTypes.DispatchReceived).Concat(ids.Select(_ => MessageTypes.DispatchRejected)));
    }
}
