using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Messaging.Embedded;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;
using Vpp.Protocol.GridSignals;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>A Kafka cluster that outlives the hosts (as a real one does): the second host resumes where the first committed.</summary>
public sealed class KafkaConsumerRestartTests
{
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    [Fact]
    public async Task A_restarted_consumer_resumes_from_the_committed_offsets()
    {
        using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopics(new KafkaOptions());
        var settings = new Dictionary<string, string>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:ProvisionTopics"] = "false",
            ["Kafka:GroupId"] = "vpp-restart-test",
        };
        using var client = new KafkaTestClient(cluster.BootstrapServers);
        async Task Frequencies(IEnumerable<int> regions)
        {
            foreach (var i in regions)
                await client.ProduceAsync(KafkaTopics.GridSignals, $"R{i}", new { ts = Iso(SystemClock.Instance.GetCurrentInstant()), hz = 50 + i / 1000.0 },
                    KafkaTestClient.Ce(GridSignalParser.FrequencyType));
        }

        await Frequencies(Enumerable.Range(1, 10));
        await using (var first = new ConfiguredVppHost(settings))
        {
            var grains = first.Service<IGrainFactory>();
            foreach (var i in Enumerable.Range(1, 10))
                (await Eventually.Until(() => grains.GetGrain<IGridRegionGrain>($"R{i}").GetFrequency(), f => f is not null, timeoutMs: 30_000)).Should().NotBeNull();
            // The batch's commit follows its effects: wait until the group's committed offsets reach the end.
            await client.WaitForCommittedAsync(new KafkaOptions { GroupId = "vpp-restart-test" }.ConsumerGroup(GridSignalConsumer.Group), KafkaTopics.GridSignals, new KafkaOptions().Topics[KafkaTopics.GridSignals].Partitions);
        }

        await Frequencies(Enumerable.Range(11, 5));
        await using var second = new ConfiguredVppHost(settings);
        var secondGrains = second.Service<IGrainFactory>();
        foreach (var i in Enumerable.Range(11, 5))
            (await Eventually.Until(() => secondGrains.GetGrain<IGridRegionGrain>($"R{i}").GetFrequency(), f => f is not null, timeoutMs: 30_000)).Should().NotBeNull();
        // Everything on the topic handled and committed: a redelivery of the first ten would have been counted by now.
        await client.WaitForCommittedAsync(new KafkaOptions { GroupId = "vpp-restart-test" }.ConsumerGroup(GridSignalConsumer.Group), KafkaTopics.GridSignals, new KafkaOptions().Topics[KafkaTopics.GridSignals].Partitions);
        second.Service<KafkaMetrics>().ConsumedByTopic[KafkaTopics.GridSignals].Should().Be(5, "the first host committed the first ten");
        (await secondGrains.GetGrain<IGridRegionGrain>("R3").GetFrequency()).Should().BeNull("R3 was handled by the first host and not redelivered");
    }
}
