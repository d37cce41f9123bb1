using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;
using Vpp.Messaging.Embedded;
using Vpp.Messaging.Hosting;

namespace Vpp.Messaging.Topics;

/// <summary>Makes sure the topics exist before anything produces or consumes.</summary>
public interface ITopicProvisioner
{
    Task EnsureTopicsAsync(CancellationToken ct);
}

/// <summary>Real brokers: CreateTopics through the admin API; an existing topic is left as it is.</summary>
public sealed class AdminTopicProvisioner(KafkaOptions options, ILogger<AdminTopicProvisioner> log) : ITopicProvisioner
{
    public async Task EnsureTopicsAsync(CancellationToken ct)
    {
        using var admin = new AdminClientBuilder(options.Security.ApplyTo(new AdminClientConfig { BootstrapServers = options.BootstrapServers })).Build();
        var specs = options.Topics.Select(t =>
        {
            var replication = t.Value.ReplicationFactor ?? options.ReplicationFactor;
            return new TopicSpecification
            {
                Name = t.Key,
                NumPartitions = t.Value.Partitions,
                ReplicationFactor = replication,
                Configs = new Dictionary<string, string>
                {
                    ["retention.ms"] = ((long)(t.Value.RetentionHours * 3_600_000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    // acks=all then means "on at least two replicas" wherever there are three.
                    ["min.insync.replicas"] = replication >= 3 ? "2" : "1",
                },
            };
        }).ToList();
        try
        {
            await admin.CreateTopicsAsync(specs);
        }
        catch (CreateTopicsException e)
        {
            foreach (var r in e.Results.Where(r => r.Error.Code != ErrorCode.NoError && r.Error.Code != ErrorCode.TopicAlreadyExists))
                throw new InvalidOperationException($"Creating Kafka topic {r.Topic} failed: {r.Error.Reason}", e);
        }
        log.LogInformation("Kafka topics ready: {Topics}", string.Join(", ", specs.Select(s => s.Name)));
    }
}

/// <summary>Topics are managed outside the VPP (Kafka:ProvisionTopics=false).</summary>
public sealed class ProvisionedElsewhere : ITopicProvisioner
{
    public Task EnsureTopicsAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The embedded cluster: topics created directly (the mock has no CreateTopics).</summary>
public sealed class MockTopicProvisioner(MockKafkaCluster cluster, KafkaOptions options) : ITopicProvisioner
{
    public Task EnsureTopicsAsync(CancellationToken ct)
    {
        cluster.CreateTopics(options);
        return Task.CompletedTask;
    }
}
