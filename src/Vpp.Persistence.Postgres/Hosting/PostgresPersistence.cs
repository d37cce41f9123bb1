using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Npgsql;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.Postgres.EventStore;
using Vpp.Persistence.Postgres.Projections;
using Vpp.Persistence.Postgres.Telemetry;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Telemetry;
using Weasel.Core;
using IEventStore = Vpp.Persistence.EventStore.IEventStore;

namespace Vpp.Persistence.Postgres.Hosting;

public static class PostgresPersistence
{
    /// <summary>
    /// Durable persistence: Marten event store with inline and async (HotCold daemon) projections,
    /// and the telemetry rollup table. Registers the seams the twins use; call before AddVppTwins.
    /// </summary>
    public static IServiceCollection AddVppPostgres(this IServiceCollection services, PostgresOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("A PostgreSQL connection string is required.", nameof(options));
        services.AddSingleton(options);
        var marten = services.AddMarten(o => Configure(o, options));
        marten.AddAsyncDaemon(options.RunProjectionDaemon ? DaemonMode.HotCold : DaemonMode.Disabled);
        if (options.PublishOutbox) marten.AddSubscriptionWithServices<OutboxSubscription>(ServiceLifetime.Singleton);

        services.AddSingleton(_ => NpgsqlDataSource.Create(options.ConnectionString));
        services.AddSingleton<IEventStore, MartenEventStore>();
        services.AddSingleton<IReadModels, MartenReadModels>();
        services.AddSingleton<IRollupStore>(sp => new PostgresRollupStore(sp.GetRequiredService<NpgsqlDataSource>(), options.Schema));
        return services;
    }

    private static void Configure(StoreOptions o, PostgresOptions options)
    {
        o.Connection(options.ConnectionString);
        o.DatabaseSchemaName = options.Schema;
        // Production never runs DDL implicitly; PostgresSchema.PrepareAsync checks it instead.
        o.AutoCreateSchemaObjects = options.AutoCreateSchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
            j => j.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb));

        o.Events.StreamIdentity = StreamIdentity.AsString;
        // Upstream DistributedLock.Postgres (see infra/nuget/README.md) cannot multiplex over a data source.
        o.Events.UseAdvisoryLockTransaction = true;
        o.Events.AddEventTypes(EventTypes.All);

        // The outbox rides on the daemon: when idle it looks for new events this often (Marten's default is 1 s).
        o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(options.IdlePollingMs);
        o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(Math.Min(options.IdlePollingMs, 250));
        o.Projections.Add(new DeviceDirectoryProjection(), ProjectionLifecycle.Inline);
        o.Projections.Add(new OpenDispatchProjection(), ProjectionLifecycle.Inline);
        o.Projections.Add(new SiteDirectoryProjection(), ProjectionLifecycle.Async);
        o.Projections.Add(new CommandHistoryProjection(), ProjectionLifecycle.Async);
        o.Projections.Add(new SiteTimelineProjection(), ProjectionLifecycle.Async);

        o.Schema.For<DeviceDirectoryEntry>().Index(x => x.TokenHash!);
        o.Schema.For<CommandHistoryEntry>().Index(x => x.DeviceId);
        o.Schema.For<SiteTimelineEntry>().Index(x => x.SiteId);
        o.Schema.For<StreamSnapshotDocument>();
    }
}
