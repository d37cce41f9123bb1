using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core.Migrations;
using Vpp.Persistence.Postgres.Telemetry;

namespace Vpp.Persistence.Postgres.Hosting;

/// <summary>
/// Schema management. Development creates and updates the schema at start-up; production
/// (AutoCreateSchema=false) only checks it and refuses to start until the explicit migration ran.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Before the host starts: create/update (development) or verify (production).</summary>
    public static async Task PrepareAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<PostgresOptions>();
        if (options.AutoCreateSchema)
        {
            await MigrateAsync(services, ct);
            return;
        }
        var store = services.GetRequiredService<IDocumentStore>();
        try
        {
            await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"The database schema '{options.Schema}' is missing or out of date, and Vpp:Postgres:AutoCreateSchema is false. "
                + "Run the migration first: `Vpp.Host migrate` (or `Vpp.Host migrate --script file.sql` and apply the file). "
                + "See docs/operations.md.", e);
        }
        await using var check = services.GetRequiredService<NpgsqlDataSource>().CreateCommand(RollupSchema.ExistsQuery(options.Schema));
        if (await check.ExecuteScalarAsync(ct) is not true)
            throw new InvalidOperationException(
                $"The telemetry history table {options.Schema}.{RollupSchema.Table} is missing and Vpp:Postgres:AutoCreateSchema is false. "
                + "Run `Vpp.Host migrate` first. See docs/operations.md.");
    }

    /// <summary>The explicit migration: apply every pending schema change.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<PostgresOptions>();
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate);
        await using var ddl = services.GetRequiredService<NpgsqlDataSource>().CreateCommand(RollupSchema.Ddl(options.Schema));
        await ddl.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Writes the SQL the migration would run, for review or for a DBA to apply.</summary>
    public static async Task WriteScriptAsync(IServiceProvider services, string path, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<PostgresOptions>();
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.Database.WriteMigrationFileAsync(path, ct);
        await File.AppendAllTextAsync(path, Environment.NewLine + "-- Telemetry history" + Environment.NewLine + RollupSchema.Ddl(options.Schema), ct);
    }
}
