using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.Postgres.Hosting;
using Vpp.Persistence.ReadModels;
using Vpp.Persistence.Telemetry;

namespace Vpp.Persistence.Tests;

/// <summary>The PostgreSQL adapters in a generic host, as the VPP host wires them (daemon included).</summary>
public sealed class PostgresStack : IAsyncDisposable
{
    private PostgresStack(IHost host) => Host = host;

    public IHost Host { get; }
    public IEventStore Events => Host.Services.GetRequiredService<IEventStore>();
    public IReadModels ReadModels => Host.Services.GetRequiredService<IReadModels>();
    public IRollupStore Rollups => Host.Services.GetRequiredService<IRollupStore>();

    public static async Task<PostgresStack> StartAsync(string connectionString, bool runDaemon = true)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddVppPostgres(new PostgresOptions { ConnectionString = connectionString, RunProjectionDaemon = runDaemon });
        var host = builder.Build();
        await PostgresSchema.PrepareAsync(host.Services);
        await host.StartAsync();
        return new PostgresStack(host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(10));
        Host.Dispose();
    }
}
