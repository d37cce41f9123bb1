using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Messaging.Embedded;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;
using Vpp.Protocol.GridSignals;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>A Kafka cluster that outlives the hosts (as a real one does): the second host resumes where the first committed.</summary>
public sealed class KafkaConsumerRestartTests
{
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    [Fact]
    public async Task A_restarted_consumer_resumes_from_the_committed_offsets()
    {
        using var cluster = MockKafkaCluster.Start(brokers: 3);
        foreach (var (name, spec) in new KafkaOptions().Topics) cluster.CreateTopic(name, spec.Partitions, 3);
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
                (await Until(() => grains.GetGrain<IGridRegionGrain>($"R{i}").GetFrequency(), f => f is not null)).Should().NotBeNull();
            // The batch's commit follows its effects: wait until the group's committed offsets reach the end.
            using var probe = new Confluent.Kafka.ConsumerBuilder<string, byte[]>(new Confluent.Kafka.ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers, GroupId = "vpp-restart-test",
            }).Build();
            var partitions = Enumerable.Range(0, new KafkaOptions().Topics[KafkaTopics.GridSignals].Partitions)
                .Select(p => new Confluent.Kafka.TopicPartition(KafkaTopics.GridSignals, p)).ToList();
            var end = partitions.Sum(p => probe.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High.Value);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (probe.Committed(partitions, TimeSpan.FromSeconds(5)).Sum(o => Math.Max(0, o.Offset.Value)) < end && DateTime.UtcNow < deadline)
                await Task.Delay(100);
        }

        await Frequencies(Enumerable.Range(11, 5));
        await using var second = new ConfiguredVppHost(settings);
        var secondGrains = second.Service<IGrainFactory>();
        foreach (var i in Enumerable.Range(11, 5))
            (await Until(() => secondGrains.GetGrain<IGridRegionGrain>($"R{i}").GetFrequency(), f => f is not null)).Should().NotBeNull();
        await Task.Delay(1000);
        second.Service<KafkaMetrics>().ConsumedByTopic[KafkaTopics.GridSignals].Should().Be(5, "the first host committed the first ten");
        (await secondGrains.GetGrain<IGridRegionGrain>("R3").GetFrequency()).Should().BeNull("R3 was handled by the first host and not redelivered");
    }

    private static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(100);
        }
    }
}
