using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Topics;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>
/// Runs only against a real Kafka broker (set VPP_KAFKA_BOOTSTRAP, e.g. the docker-compose one on
/// localhost:9092): librdkafka's mock cluster has no CreateTopics / DescribeConfigs.
/// </summary>
public sealed class RealKafkaFactAttribute : FactAttribute
{
    public RealKafkaFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VPP_KAFKA_BOOTSTRAP")))
            Skip = "Needs a real Kafka broker (VPP_KAFKA_BOOTSTRAP): the mock cluster has no CreateTopics/DescribeConfigs admin API.";
    }
}

public sealed class RealKafkaTests
{
    [RealKafkaFact]
    public async Task Topics_are_provisioned_through_the_admin_api_with_partitions_and_retention()
    {
        var bootstrap = Environment.GetEnvironmentVariable("VPP_KAFKA_BOOTSTRAP")!;
        var options = new KafkaOptions { BootstrapServers = bootstrap, ReplicationFactor = 1 };
        await new AdminTopicProvisioner(options, NullLogger<AdminTopicProvisioner>.Instance).EnsureTopicsAsync(CancellationToken.None);
        await new AdminTopicProvisioner(options, NullLogger<AdminTopicProvisioner>.Instance).EnsureTopicsAsync(CancellationToken.None); // idempotent

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        metadata.Topics.Single(t => t.Topic == KafkaTopics.Telemetry).Partitions.Should().HaveCount(options.Topics[KafkaTopics.Telemetry].Partitions);
        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = KafkaTopics.Dispatch }]);
        configs.Single().Entries["retention.ms"].Value.Should().Be(((long)(options.Topics[KafkaTopics.Dispatch].RetentionHours * 3_600_000)).ToString());
    }
}
