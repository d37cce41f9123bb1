using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Vpp.Domain.Telemetry;
using Vpp.Persistence.Telemetry;

namespace Vpp.Persistence.Postgres.Telemetry;

/// <summary>
/// Minute rollups in PostgreSQL. A batch is COPYed (binary) into a temporary table and merged with
/// one INSERT … ON CONFLICT that adds counts and sums and keeps extremes and the latest SoC, so
/// partial rollups from several flushes or hosts combine exactly.
/// </summary>
public sealed class PostgresRollupStore(NpgsqlDataSource db, string schema) : IRollupStore
{
    private const string Columns =
        "device_id, bucket, site_id, flow, sample_ms, p_count, p_sum, p_min, p_max, p_pos, p_neg, "
        + "l_count, l_sum, l_min, l_max, l_pos, l_neg, soc_end, soc_at, capacity_kwh";

    public bool IsDurable => true;

    public async Task MergeAsync(IReadOnlyList<DeviceMinuteRollup> batch, CancellationToken ct = default)
    {
        if (batch.Count == 0) return;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(
            $"create temp table rollup_in (like {schema}.{RollupSchema.Table}) on commit drop", conn, tx))
            await create.ExecuteNonQueryAsync(ct);

        await using (var copy = await conn.BeginBinaryImportAsync($"copy rollup_in ({Columns}) from stdin (format binary)", ct))
        {
            foreach (var r in batch)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.DeviceId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.BucketStart.ToDateTimeUtc(), NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(r.SiteId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync((short)r.Flow, NpgsqlDbType.Smallint, ct);
                await copy.WriteAsync((int)r.SampleInterval.TotalMilliseconds, NpgsqlDbType.Integer, ct);
                await WriteStats(copy, r.Power, ct);
                await WriteStats(copy, r.Load, ct);
                await WriteNullable(copy, r.SocPctEnd, ct);
                if (r.SocAt is { } at) await copy.WriteAsync(at.ToDateTimeUtc(), NpgsqlDbType.TimestampTz, ct);
                else await copy.WriteNullAsync(ct);
                await WriteNullable(copy, r.CapacityKwh, ct);
            }
            await copy.CompleteAsync(ct);
        }

        await using (var merge = new NpgsqlCommand($"""
            insert into {schema}.{RollupSchema.Table} as t ({Columns}) select {Columns} from rollup_in
            on conflict (device_id, bucket) do update set
                p_count = t.p_count + excluded.p_count, p_sum = t.p_sum + excluded.p_sum,
                p_min = least(t.p_min, excluded.p_min), p_max = greatest(t.p_max, excluded.p_max),
                p_pos = t.p_pos + excluded.p_pos, p_neg = t.p_neg + excluded.p_neg,
                l_count = t.l_count + excluded.l_count, l_sum = t.l_sum + excluded.l_sum,
                l_min = least(t.l_min, excluded.l_min), l_max = greatest(t.l_max, excluded.l_max),
                l_pos = t.l_pos + excluded.l_pos, l_neg = t.l_neg + excluded.l_neg,
                soc_end = case when excluded.soc_at is not null and (t.soc_at is null or excluded.soc_at > t.soc_at)
                               then excluded.soc_end else t.soc_end end,
                soc_at = greatest(t.soc_at, excluded.soc_at),
                capacity_kwh = coalesce(t.capacity_kwh, excluded.capacity_kwh)
            """, conn, tx))
            await merge.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static async Task WriteStats(NpgsqlBinaryImporter copy, FlowStats s, CancellationToken ct)
    {
        await copy.WriteAsync(s.Count, NpgsqlDbType.Integer, ct);
        await copy.WriteAsync(s.SumKw, NpgsqlDbType.Double, ct);
        await WriteNullable(copy, s.IsEmpty ? null : s.MinKw, ct);
        await WriteNullable(copy, s.IsEmpty ? null : s.MaxKw, ct);
        await copy.WriteAsync(s.SumPositiveKw, NpgsqlDbType.Double, ct);
        await copy.WriteAsync(s.SumNegativeKw, NpgsqlDbType.Double, ct);
    }

    private static Task WriteNullable(NpgsqlBinaryImporter copy, double? v, CancellationToken ct) =>
        v is { } x ? copy.WriteAsync(x, NpgsqlDbType.Double, ct) : copy.WriteNullAsync(ct);

    public async Task<IReadOnlyList<DeviceMinuteRollup>> ReadSiteAsync(string siteId, Interval interval, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            $"select {Columns} from {schema}.{RollupSchema.Table} where site_id = $1 and bucket >= $2 and bucket < $3 order by bucket");
        cmd.Parameters.AddWithValue(siteId);
        cmd.Parameters.AddWithValue(interval.Start.ToDateTimeUtc());
        cmd.Parameters.AddWithValue(interval.End.ToDateTimeUtc());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<DeviceMinuteRollup>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DeviceMinuteRollup(
                SiteId: reader.GetString(2),
                DeviceId: reader.GetString(0),
                Flow: (SiteFlow)reader.GetInt16(3),
                BucketStart: Instant.FromDateTimeUtc(reader.GetDateTime(1)),
                SampleInterval: Duration.FromMilliseconds(reader.GetInt32(4)),
                Power: ReadStats(reader, 5),
                Load: ReadStats(reader, 11),
                SocPctEnd: reader.IsDBNull(17) ? null : reader.GetDouble(17),
                SocAt: reader.IsDBNull(18) ? null : Instant.FromDateTimeUtc(reader.GetDateTime(18)),
                CapacityKwh: reader.IsDBNull(19) ? null : reader.GetDouble(19)));
        }
        return rows;
    }

    private static FlowStats ReadStats(NpgsqlDataReader r, int at)
    {
        var count = r.GetInt32(at);
        return count == 0 ? FlowStats.Empty : new FlowStats(count, r.GetDouble(at + 1), r.GetDouble(at + 2), r.GetDouble(at + 3),
            r.GetDouble(at + 4), r.GetDouble(at + 5));
    }
}
