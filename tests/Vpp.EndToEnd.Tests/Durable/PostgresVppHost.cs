using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>
/// The in-process host on its own fresh PostgreSQL database, with fast rollup flushes and a
/// 10-second telemetry interval (so an hour of history is 360 readings per device), and the flood
/// limit raised so a device may upload a backfill in one burst.
/// </summary>
public sealed class PostgresVppHost() : VppHost(Settings(TestPostgres.CreateDatabaseAsync("e2e").GetAwaiter().GetResult()))
{
    private static Dictionary<string, string> Settings(string db) => new()
    {
        ["ConnectionStrings:Postgres"] = db,
        ["Vpp:History:FlushIntervalSeconds"] = "0.5",
        ["Vpp:TelemetryIntervalMs"] = "10000",
        ["Vpp:MaxMessagesPerSecond"] = "100000",
        ["Vpp:MessageBurst"] = "100000",
    };
}
