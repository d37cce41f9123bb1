using Npgsql;

namespace Vpp.Benchmarks;

internal static class BenchDatabase
{
    /// <summary>A fresh database per run, so runs never see each other's rows.</summary>
    public static async Task<string> CreateAsync(string baseConnection, string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"; // identifiers may be 63 bytes
        await using var conn = new NpgsqlConnection(baseConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"create database \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(baseConnection) { Database = name }.ConnectionString;
    }
}
