using System.Diagnostics;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.Postgres.Hosting;
using Vpp.Protocol;

namespace Vpp.Benchmarks;

/// <summary>
/// Decisions appended per second through battery grains (IssueSetpoint: validate, decide, append
/// SetpointSuperseded + SetpointIssued with the expected version, apply) against plain Marten
/// appends of the same two events to the same number of streams with the same concurrency.
/// </summary>
internal static class EventAppendBench
{
    public static async Task<int> RunAsync(string pg, int sites, int commands)
    {
        var db = await BenchDatabase.CreateAsync(pg, "bench_events");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddVppPostgres(new PostgresOptions { ConnectionString = db, RunProjectionDaemon = false });
        builder.Services.AddVppTwins();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(11_411, 30_411));
        using var host = builder.Build();
        await PostgresSchema.PrepareAsync(host.Services);
        await host.StartAsync();

        var store = host.Services.GetRequiredService<IDocumentStore>();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var now = SystemClock.Instance.GetCurrentInstant();

        // Bare baseline: Marten appends, one task per stream, each append waiting for the previous.
        await BareAppends(store, "warm", Math.Min(sites, 20), 3, now);
        var bare = await BareAppends(store, "bare", sites, commands, now);

        var batteries = new List<IBatteryGrain>();
        for (var i = 0; i < sites; i++)
        {
            var site = grains.GetGrain<ISiteGrain>($"bench-site-{i}");
            await site.Register(new SiteRegistration($"bench-site-{i}", "Bench", "Europe/Berlin", 20, null, null, now));
            await site.AddDevice(new DeviceRegistration($"bench-bat-{i}", $"bench-site-{i}", DeviceKind.Battery,
                new BatteryRatings(10, 5, 5, 0.9), null, now), "hash-" + i);
            batteries.Add(grains.GetGrain<IBatteryGrain>($"bench-bat-{i}"));
        }
        await Task.WhenAll(batteries.Take(20).Select(b => b.IssueSetpoint(new SetpointRequest(-1, Duration.FromMinutes(15), "warm-up"))));

        var eventsBefore = await EventCount(store);
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(batteries.Select(async b =>
        {
            for (var c = 0; c < commands; c++) await b.IssueSetpoint(new SetpointRequest(c % 2 == 0 ? -2 : 2, Duration.FromMinutes(15), "bench"));
        }));
        sw.Stop();
        var decisions = sites * commands;
        var grainEventsPerSecond = (await EventCount(store) - eventsBefore) / sw.Elapsed.TotalSeconds;

        Console.WriteLine($"streams={sites} commands/stream={commands} machine={Environment.ProcessorCount} cores");
        Console.WriteLine($"bare Marten append: {bare.EventsPerSecond:0} events/s ({bare.AppendsPerSecond:0} appends/s of 2 events)");
        Console.WriteLine($"through grains:     {grainEventsPerSecond:0} events/s ({decisions / sw.Elapsed.TotalSeconds:0} setpoint decisions/s)");
        Console.WriteLine($"ratio grains/bare:  {grainEventsPerSecond / bare.EventsPerSecond:0.00}");
        await host.StopAsync();
        return 0;
    }

    private static async Task<long> EventCount(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().LongCountAsync();
    }

    private static async Task<(double EventsPerSecond, double AppendsPerSecond)> BareAppends(IDocumentStore store, string prefix, int streams, int appends, Instant now)
    {
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async s =>
        {
            var key = StreamKeys.Device($"{prefix}-{s}");
            for (var a = 0; a < appends; a++)
            {
                await using var session = store.LightweightSession();
                object[] events =
                [
                    new SetpointSuperseded($"{prefix}-{s}", "site", $"c{a - 1}", "a newer setpoint was issued", now),
                    new SetpointIssued($"{prefix}-{s}", "site", $"c{a}", -2, now + Duration.FromMinutes(15), "bench", 20, now),
                ];
                if (a == 0) session.Events.StartStream(key, events);
                else session.Events.Append(key, (a + 1) * 2L, events);
                await session.SaveChangesAsync();
            }
        }));
        sw.Stop();
        return (streams * appends * 2 / sw.Elapsed.TotalSeconds, streams * appends / sw.Elapsed.TotalSeconds);
    }
}
