using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Embedded;
using Vpp.Messaging.Hosting;
using Vpp.Persistence.Postgres.Hosting;
using Vpp.Protocol;

namespace Vpp.Benchmarks;

/// <summary>
/// (1) Telemetry from Kafka into twins vs a bare Confluent consumer draining the same pre-filled
/// topic in the same run. (2) Outbox publish latency: decision appended → message on a consumer,
/// beside a bare produce → consume round trip on the same cluster.
/// </summary>
internal static class KafkaBench
{
    public static async Task<int> RunAsync(string pg, int devices, int messages, int dispatches, int maxBatch = 5000)
    {
        using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopics(new KafkaOptions());
        var now = SystemClock.Instance.GetCurrentInstant();
        await Prefill(cluster.BootstrapServers, devices, messages, now);

        var bare = Drain(cluster.BootstrapServers, "bare-" + Guid.NewGuid().ToString("N"), messages);

        var db = await BenchDatabase.CreateAsync(pg, "bench_kafka");
        var options = new KafkaOptions
        {
            BootstrapServers = cluster.BootstrapServers, ProvisionTopics = false, ConsumeTelemetry = false, ConsumeGridSignals = false,
            GroupId = "vpp-bench", MaxBatch = maxBatch,
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddVppPostgres(new PostgresOptions { ConnectionString = db, PublishOutbox = true });
        builder.Services.AddVppKafka(options, durableOutbox: true);
        builder.Services.AddVppTwins();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(11_412, 30_412));
        using var host = builder.Build();
        await PostgresSchema.PrepareAsync(host.Services);
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        await RegisterDevices(grains, devices, now);

        var metrics = host.Services.GetRequiredService<KafkaMetrics>();
        var twins = host.Services.GetRequiredService<TwinMetrics>();
        var consumer = ActivatorUtilities.CreateInstance<TelemetryConsumer>(host.Services);
        await consumer.StartAsync(CancellationToken.None);
        // Like the bare drain, time from the first message (group join excluded).
        while (twins.IngestedTotal == 0) await Task.Delay(1);
        var sw = Stopwatch.StartNew();
        // Until the last message's effects are durable (history written) and its offset committed.
        while (metrics.CommittedByTopic.GetValueOrDefault(KafkaTopics.Telemetry) < messages && sw.Elapsed < TimeSpan.FromMinutes(5))
            await Task.Delay(20);
        var consumed = metrics.CommittedByTopic.GetValueOrDefault(KafkaTopics.Telemetry);
        var intoTwins = consumed / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"  into twins: {consumed} messages in {sw.Elapsed.TotalSeconds:0.00} s");
        await consumer.StopAsync(CancellationToken.None);

        Console.WriteLine($"devices={devices} messages={messages} brokers=3 partitions={options.Topics[KafkaTopics.Telemetry].Partitions} machine={Environment.ProcessorCount} cores");
        Console.WriteLine($"bare Confluent consumer drain: {bare:0} msg/s");
        Console.WriteLine($"Kafka → validated → twins:     {intoTwins:0} msg/s (twins ingested {twins.IngestedTotal}, dead-lettered {metrics.DeadLetteredByTopic.Values.Sum()})");
        Console.WriteLine($"ratio twins/bare: {intoTwins / bare:0.00}");

        await OutboxLatency(cluster.BootstrapServers, grains, dispatches);
        await host.StopAsync();
        return 0;
    }

    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);

    private static async Task Prefill(string bootstrap, int devices, int messages, Instant now)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 10, BatchSize = 1_000_000,
        }).Build();
        var ts = Iso(now);
        for (var i = 0; i < messages; i++)
        {
            var d = i % devices;
            var value = Encoding.UTF8.GetBytes(
                $"{{\"type\":\"telemetry\",\"deviceId\":\"kb-{d}\",\"seq\":{i / devices + 1},\"ts\":\"{ts}\",\"powerKw\":{(i % 7) - 3},\"socPct\":55}}");
            var ce = new CloudEvent(Guid.NewGuid().ToString("N"), MessageTypes.Telemetry, "urn:bench", now);
            while (true)
            {
                try
                {
                    producer.Produce(KafkaTopics.Telemetry, new Message<string, byte[]> { Key = $"kb-{d}", Value = value, Headers = ce.ToHeaders() });
                    break;
                }
                catch (ProduceException<string, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        var left = producer.Flush(TimeSpan.FromMinutes(2));
        Console.WriteLine($"  prefilled {messages} messages ({left} still queued after flush)");
        await Task.CompletedTask;
    }

    private static double Drain(string bootstrap, string group, int messages)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(KafkaTopics.Telemetry);
        var count = 0;
        var first = consumer.Consume(TimeSpan.FromSeconds(30));
        if (first is null) return 0;
        var sw = Stopwatch.StartNew();
        count++;
        while (count < messages && sw.Elapsed < TimeSpan.FromMinutes(5))
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false }) count++;
        var rate = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"  bare drain: {count} messages in {sw.Elapsed.TotalSeconds:0.00} s");
        consumer.Close();
        return rate;
    }

    private static async Task RegisterDevices(IGrainFactory grains, int devices, Instant now)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (d, _) =>
        {
            var site = grains.GetGrain<ISiteGrain>($"kbs-{d}");
            await site.Register(new SiteRegistration($"kbs-{d}", "Bench", "Europe/Berlin", 20, null, null, now));
            await site.AddDevice(new DeviceRegistration($"kb-{d}", $"kbs-{d}", DeviceKind.Battery, new BatteryRatings(10, 5, 5, 0.9), null, now), "h" + d);
        });
    }

    private static async Task OutboxLatency(string bootstrap, IGrainFactory grains, int dispatches)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            // A fresh cluster: only this run's messages are on the topic, so reading from the start misses nothing.
            BootstrapServers = bootstrap, GroupId = "latency-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 5,
        }).Build();
        consumer.Subscribe(KafkaTopics.Dispatch);
        // Join the group before measuring.
        while (consumer.Assignment.Count == 0) consumer.Consume(TimeSpan.FromMilliseconds(100));
        while (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not null) { }
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build();

        var bare = new List<double>();
        var outbox = new List<double>();
        var start = SystemClock.Instance.GetCurrentInstant() + Duration.FromMinutes(10);
        for (var i = 0; i < dispatches; i++)
        {
            var key = $"bare-{i}";
            var sw = Stopwatch.StartNew();
            await producer.ProduceAsync(KafkaTopics.Dispatch, new Message<string, byte[]> { Key = key, Value = [] });
            WaitFor(consumer, key);
            bare.Add(sw.Elapsed.TotalMilliseconds);

            var id = $"lat-{i}";
            sw.Restart();
            await grains.GetGrain<IDispatchGrain>(id).Request(new DispatchRequest(id, "DE-N", start, start + Duration.FromMinutes(15), 10, 1), "bench");
            WaitFor(consumer, id);
            outbox.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"bare produce→consume latency:       p50 {P(bare, 0.5):0} ms, p99 {P(bare, 0.99):0} ms");
        Console.WriteLine($"decision → outbox → consumer latency: p50 {P(outbox, 0.5):0} ms, p99 {P(outbox, 0.99):0} ms (n={dispatches})");
        consumer.Close();
    }

    private static void WaitFor(IConsumer<string, byte[]> consumer, string key)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { Message.Key: var k } && k == key) return;
        throw new TimeoutException($"{key} did not arrive within 30 s");
    }

    private static double P(List<double> values, double q) => Vpp.Simulators.Shared.Percentile.Of(values, q * 100);
}
