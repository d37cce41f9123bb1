namespace Vpp.Persistence.Postgres.Telemetry;

/// <summary>DDL of the telemetry history table (not a Marten document: a plain, COPY-friendly table).</summary>
public static class RollupSchema
{
    public const string Table = "telemetry_minute";

    public static string Ddl(string schema) => $"""
        create schema if not exists {schema};
        create table if not exists {schema}.{Table} (
            device_id    text             not null,
            bucket       timestamptz      not null,
            site_id      text             not null,
            flow         smallint         not null,
            sample_ms    integer          not null,
            p_count      integer          not null,
            p_sum        double precision not null,
            p_min        double precision,
            p_max        double precision,
            p_pos        double precision not null,
            p_neg        double precision not null,
            l_count      integer          not null,
            l_sum        double precision not null,
            l_min        double precision,
            l_max        double precision,
            l_pos        double precision not null,
            l_neg        double precision not null,
            soc_end      double precision,
            soc_at       timestamptz,
            capacity_kwh double precision,
            primary key (device_id, bucket)
        );
        create index if not exists {Table}_site_bucket on {schema}.{Table} (site_id, bucket);
        """;

    /// <summary>True when the table exists (the production start-up check).</summary>
    public static string ExistsQuery(string schema) =>
        $"select to_regclass('{schema}.{Table}') is not null";
}
