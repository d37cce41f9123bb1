using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using Vpp.Grains.Devices;
using Vpp.Grains.Live;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Telemetry;

namespace Vpp.Grains.Hosting;

public static class TwinServiceCollectionExtensions
{
    /// <summary>
    /// Services the twin grains need. The event store, read models, rollup store and live publisher
    /// are seams: register durable ones first; otherwise volatile in-memory ones are used.
    /// </summary>
    public static IServiceCollection AddVppTwins(this IServiceCollection services, Action<TwinOptions>? configure = null)
    {
        services.AddOptions<TwinOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton<TwinMetrics>();
        services.TryAddSingleton<ILivePublisher, NullLivePublisher>();
        services.TryAddSingleton<InMemoryReadModels>();
        services.TryAddSingleton<IReadModels>(sp => sp.GetRequiredService<InMemoryReadModels>());
        // The in-memory outbox exists only when something publishes from it (the Kafka adapter).
        services.TryAddSingleton<IEventStore>(sp =>
            new InMemoryEventStore(sp.GetRequiredService<InMemoryReadModels>(), sp.GetService<Persistence.Outbox.InMemoryOutbox>()));
        services.TryAddSingleton<IRollupStore, InMemoryRollupStore>();
        services.TryAddSingleton<RollupBuffer>();
        services.TryAddSingleton<DeviceTwinServices>();
        services.TryAddSingleton<RollupFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<RollupFlushService>());
        services.AddMetrics();
        return services;
    }
}
