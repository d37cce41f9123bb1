using System.Diagnostics;
using Npgsql;

namespace Vpp.Tests.Shared;

/// <summary>
/// A real local PostgreSQL for tests. The first use runs scripts/postgres.sh, which installs (when
/// root) and starts the server and creates the "vpp" role, so `dotnet test` works on a fresh
/// machine. Each caller gets its own new database.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Admin = new(EnsureServer, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string AdminConnectionString => Admin.Value;

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant(); // identifiers may be 63 bytes
        await using (var conn = new NpgsqlConnection(Admin.Value))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Admin.Value) { Database = name }.ConnectionString;
    }

    /// <summary>Same database, a distinct application name (visible in pg_stat_activity).</summary>
    public static string WithApplicationName(string connectionString, string applicationName) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VPP.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("VPP.sln not found above " + AppContext.BaseDirectory);
    }

    private static string EnsureServer()
    {
        var script = Path.Combine(RepoRoot(), "scripts", "postgres.sh");
        using var p = Process.Start(new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"scripts/postgres.sh failed ({p.ExitCode}): {stderr}{stdout}");
        return stdout.Trim().Split('\n')[^1];
    }
}
