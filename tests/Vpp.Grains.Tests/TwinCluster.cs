using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Orleans.TestingHost;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Protocol;
using Vpp.Contracts.Registrations;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Telemetry;

namespace Vpp.Grains.Tests;

/// <summary>Two silos in one process sharing an event store, read models, rollup store, a fake clock and a recording live publisher.</summary>
public sealed class TwinCluster : IAsyncLifetime
{
    public InMemoryReadModels ReadModels { get; } = new();
    public InMemoryEventStore Events { get; }
    public InMemoryRollupStore Rollups { get; } = new();
    public FakeClock Clock { get; } = new(Instant.FromUtc(2026, 11, 23, 12, 0));
    public RecordingPublisher Live { get; } = new();
    public ScriptedExchange Exchange { get; } = new();
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;

    public TwinCluster() => Events = new InMemoryEventStore(ReadModels);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<IEventStore>(Events);
            silo.Services.AddSingleton<IReadModels>(ReadModels);
            silo.Services.AddSingleton<IRollupStore>(Rollups);
            silo.Services.AddSingleton<IClock>(Clock);
            silo.Services.AddSingleton<ILivePublisher>(Live);
            silo.Services.AddVppTwins(o => o.PublishInterval = Duration.FromMilliseconds(100));
            silo.Services.AddSingleton<Vpp.Domain.Markets.IMarketExchange>(Exchange);
            silo.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new MarketOptions
            {
                MinBidKw = 1,
                Reserve = new ReserveMarketOptions { Enabled = true, MinBidKw = 1, Mode = Vpp.Contracts.Grid.FrequencyResponseMode.Central },
            }));
            silo.UseInMemoryReminderService();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public long DuplicatesSeen => Cluster.Silos.Sum(s => s.ServiceProvider.GetRequiredService<TwinMetrics>().DuplicatesTotal);

    /// <summary>Registers a home with a 10 kWh / 5 kW battery (81 % RTE), 6 kW PV and a meter.</summary>
    public async Task<string> RegisterHomeAsync(string siteId, double reservePct = 20)
    {
        var now = Clock.GetCurrentInstant();
        var site = Client.GetGrain<ISiteGrain>(siteId);
        (await site.Register(new SiteRegistration(siteId, "Home " + siteId, "Europe/Berlin", reservePct, null, null, now)))
            .Should().Be(RegisterOutcome.Registered);
        await site.AddDevice(new DeviceRegistration(siteId + "-bat", siteId, DeviceKind.Battery, new BatteryRatings(10, 5, 5, 0.81), null, now), "h-bat-" + siteId);
        await site.AddDevice(new DeviceRegistration(siteId + "-pv", siteId, DeviceKind.Solar, null, 6, now), "h-pv-" + siteId);
        await site.AddDevice(new DeviceRegistration(siteId + "-meter", siteId, DeviceKind.Meter, null, null, now), "h-m-" + siteId);
        return siteId;
    }
}

public sealed class RecordingPublisher : ILivePublisher
{
    public ConcurrentQueue<SiteState> Sites { get; } = new();
    public ConcurrentQueue<FleetSummary> Fleet { get; } = new();
    public void PublishSite(SiteState state) => Sites.Enqueue(state);
    public void PublishFleet(FleetSummary summary) => Fleet.Enqueue(summary);
}

/// <summary>Stands in for the gateway's socket: records what the twin pushes.</summary>
public sealed class RecordingConnection : IDeviceConnection
{
    public ConcurrentQueue<CommandRecord> Setpoints { get; } = new();
    public ConcurrentQueue<int> Closes { get; } = new();
    public ConcurrentQueue<DroopAssignment> Droops { get; } = new();

    public Task SendFrequencyResponse(DroopAssignment assignment)
    {
        Droops.Enqueue(assignment);
        return Task.CompletedTask;
    }

    public Task SendSetpoint(CommandRecord command)
    {
        Setpoints.Enqueue(command);
        return Task.CompletedTask;
    }

    public Task Close(int closeCode, string reason)
    {
        Closes.Enqueue(closeCode);
        return Task.CompletedTask;
    }
}
