namespace Vpp.Persistence.Postgres.Hosting;

/// <summary>PostgreSQL settings (section "Vpp:Postgres"; the connection string is ConnectionStrings:Postgres).</summary>
public sealed class PostgresOptions
{
    public const string Section = "Vpp:Postgres";

    public string ConnectionString { get; set; } = "";

    /// <summary>Database schema holding every VPP table (events, documents, rollups).</summary>
    public string Schema { get; set; } = "vpp";

    /// <summary>
    /// True (development): create or update the schema at start-up. False (production): never run
    /// DDL at start-up; the host checks the schema and refuses to start if a migration is missing.
    /// Run <c>Vpp.Host migrate</c> (or apply the script from <c>Vpp.Host migrate --script file.sql</c>).
    /// </summary>
    public bool AutoCreateSchema { get; set; } = true;

    /// <summary>Run the async projection daemon on this host. Hosts elect one active daemon (HotCold).</summary>
    public bool RunProjectionDaemon { get; set; } = true;

    /// <summary>How often the idle projection daemon (and so the outbox) looks for new events.</summary>
    public int IdlePollingMs { get; set; } = 100;

    /// <summary>Publish utility-facing events through the outbox subscription (needs an IOutboxSink, e.g. Kafka).</summary>
    public bool PublishOutbox { get; set; }
}
