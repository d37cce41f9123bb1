using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Outbox;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;
using Vpp.Persistence.Outbox;

namespace Vpp.Messaging.Hosting;

public static class KafkaHosting
{
    /// <summary>
    /// Kafka in and out. Call after the persistence registrations: with the in-memory store this
    /// also wires the in-memory outbox. Topics are provisioned before any consumer starts.
    /// </summary>
    public static IServiceCollection AddVppKafka(this IServiceCollection services, KafkaOptions options, bool durableOutbox)
    {
        if (!options.Embedded && options.Security.Problem() is { } problem) throw new InvalidOperationException("Configuration Kafka:Security: " + problem);
        services.AddSingleton(options);
        services.AddSingleton<KafkaEndpoint>();
        services.AddSingleton<KafkaMetrics>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<ITopicProvisioner>(sp => options.Embedded
            ? new MockTopicProvisioner(sp.GetRequiredService<KafkaEndpoint>().Embedded!, options)
            : options.ProvisionTopics ? ActivatorUtilities.CreateInstance<AdminTopicProvisioner>(sp) : new ProvisionedElsewhere());
        services.AddHostedService<TopicProvisioningService>();
        if (options.ConsumeTelemetry) services.AddHostedService<TelemetryConsumer>();
        if (options.ConsumeGridSignals) services.AddHostedService<GridSignalConsumer>();
        if (options.PublishDispatch)
        {
            services.AddSingleton<IOutboxSink, KafkaOutboxSink>();
            if (!durableOutbox)
            {
                // The in-memory event store feeds this outbox when it is registered.
                services.AddSingleton<InMemoryOutbox>();
                services.AddHostedService<InMemoryOutboxPublisher>();
            }
        }
        return services;
    }

    private sealed class TopicProvisioningService(ITopicProvisioner provisioner) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => provisioner.EnsureTopicsAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
