using System.Diagnostics;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Vpp.Domain.Telemetry;
using Vpp.Persistence.Postgres.Telemetry;
using Vpp.Persistence.Telemetry;

namespace Vpp.Benchmarks;

/// <summary>
/// The rollup writer's sustained readings/s: readings folded into the per-host buffer, ended minutes
/// merged into PostgreSQL every 5 simulated seconds (COPY into a temp table + INSERT … ON CONFLICT), against
/// two bare baselines in the same run: COPY of every raw reading as a row, and COPY of the same
/// rollup rows into a plain table (no merge).
/// </summary>
internal static class RollupBench
{
    public static async Task<int> RunAsync(string pg, int devices, int seconds)
    {
        var db = await BenchDatabase.CreateAsync(pg, "bench_rollups");
        await using var data = NpgsqlDataSource.Create(db);
        await Execute(data, RollupSchema.Ddl("vpp") + """
            create unlogged table if not exists vpp.raw_readings (device_id text, ts timestamptz, power_kw double precision, soc_pct double precision);
            create table if not exists vpp.rollup_copy (like vpp.telemetry_minute);
            """);
        var store = new PostgresRollupStore(data, "vpp");
        var start = Instant.FromUtc(2026, 11, 23, 0, 0);
        var readings = (long)devices * seconds;

        // Warm-up: JIT and connection pool.
        await Writer(store, Math.Min(devices, 100), 10, start - Duration.FromDays(1));

        MergeTime = TimeSpan.Zero;
        var sw = Stopwatch.StartNew();
        var rows = await Writer(store, devices, seconds, start);
        var writer = sw.Elapsed;

        sw.Restart();
        await using (var conn = await data.OpenConnectionAsync())
        await using (var copy = await conn.BeginBinaryImportAsync("copy vpp.raw_readings (device_id, ts, power_kw, soc_pct) from stdin (format binary)"))
        {
            for (var s = 0; s < seconds; s++)
                for (var d = 0; d < devices; d++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync("dev-" + d, NpgsqlDbType.Text);
                    await copy.WriteAsync((start + Duration.FromSeconds(s)).ToDateTimeUtc(), NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(Power(d, s), NpgsqlDbType.Double);
                    await copy.WriteAsync(50.0, NpgsqlDbType.Double);
                }
            await copy.CompleteAsync();
        }
        var rawCopy = sw.Elapsed;

        sw.Restart();
        await using (var conn = await data.OpenConnectionAsync())
        await using (var copy = await conn.BeginBinaryImportAsync("copy vpp.rollup_copy (device_id, bucket, site_id, flow, sample_ms, p_count, p_sum, p_pos, p_neg, l_count, l_sum, l_pos, l_neg) from stdin (format binary)"))
        {
            foreach (var r in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(r.DeviceId, NpgsqlDbType.Text);
                await copy.WriteAsync(r.BucketStart.ToDateTimeUtc(), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(r.SiteId, NpgsqlDbType.Text);
                await copy.WriteAsync((short)r.Flow, NpgsqlDbType.Smallint);
                await copy.WriteAsync(1000, NpgsqlDbType.Integer);
                await copy.WriteAsync(r.Power.Count, NpgsqlDbType.Integer);
                await copy.WriteAsync(r.Power.SumKw, NpgsqlDbType.Double);
                await copy.WriteAsync(r.Power.SumPositiveKw, NpgsqlDbType.Double);
                await copy.WriteAsync(r.Power.SumNegativeKw, NpgsqlDbType.Double);
                await copy.WriteAsync(0, NpgsqlDbType.Integer);
                await copy.WriteAsync(0.0, NpgsqlDbType.Double);
                await copy.WriteAsync(0.0, NpgsqlDbType.Double);
                await copy.WriteAsync(0.0, NpgsqlDbType.Double);
            }
            await copy.CompleteAsync();
        }
        var rowCopy = sw.Elapsed;

        Console.WriteLine($"devices={devices} seconds={seconds} readings={readings} rollup rows written (merged)={rows.Count} machine={Environment.ProcessorCount} cores");
        Console.WriteLine($"rollup writer (buffer + merge every 5 s): {readings / writer.TotalSeconds:0} readings/s");
        Console.WriteLine($"  of which merging into PostgreSQL:      {MergeTime.TotalSeconds:0.00} s of {writer.TotalSeconds:0.00} s");
        Console.WriteLine($"bare COPY of every reading as a row:      {readings / rawCopy.TotalSeconds:0} readings/s");
        Console.WriteLine($"bare COPY of the final rollup rows:       {rows.Count / rowCopy.TotalSeconds:0} rows/s");
        Console.WriteLine($"ratio writer/raw COPY: {rawCopy.TotalSeconds / writer.TotalSeconds:0.00}");
        return 0;
    }

    private static TimeSpan MergeTime;

    private static double Power(int device, int second) => Math.Sin((device + second) / 30.0) * 5;

    /// <summary>Feeds readings second by second, flushing every 5 simulated seconds as the host does; returns the final rows.</summary>
    private static async Task<List<DeviceMinuteRollup>> Writer(IRollupStore store, int devices, int seconds, Instant start)
    {
        var buffer = new RollupBuffer();
        var all = new Dictionary<(string, Instant), DeviceMinuteRollup>();
        var interval = Duration.FromSeconds(1);
        // Twins hold their ids already; do not measure string building.
        var sites = Enumerable.Range(0, devices).Select(d => "site-" + d).ToArray();
        var ids = Enumerable.Range(0, devices).Select(d => "dev-" + d).ToArray();
        for (var s = 0; s < seconds; s++)
        {
            var ts = start + Duration.FromSeconds(s);
            var second = s;
            Parallel.For(0, devices, d => buffer.Add(sites[d], ids[d], SiteFlow.Battery, interval, 10, ts, Power(d, second), null, 50));
            if ((s + 1) % 5 == 0 || s == seconds - 1)
            {
                var batch = buffer.Drain(s == seconds - 1 ? null : ts + interval);
                var merge = Stopwatch.StartNew();
                await store.MergeAsync(batch);
                MergeTime += merge.Elapsed;
                foreach (var r in batch) all[(r.DeviceId, r.BucketStart)] = all.TryGetValue((r.DeviceId, r.BucketStart), out var e) ? e.Merge(r) : r;
            }
        }
        return all.Values.ToList();
    }

    private static async Task Execute(NpgsqlDataSource data, string sql)
    {
        await using var cmd = data.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
