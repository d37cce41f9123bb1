using System.Diagnostics.Metrics;

namespace Vpp.Grains.Hosting;

/// <summary>Counters of what the twins ingest; exported through OpenTelemetry-compatible System.Diagnostics.Metrics.</summary>
public sealed class TwinMetrics
{
    public const string MeterName = "Vpp.Twins";
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _duplicates;
    private long _ingestedTotal;
    private long _duplicatesTotal;

    public TwinMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ingested = meter.CreateCounter<long>("vpp.twins.telemetry_ingested", description: "Readings applied to device twins");
        _duplicates = meter.CreateCounter<long>("vpp.twins.telemetry_duplicates", description: "Readings ignored as repeated or older seq");
    }

    /// <summary>Readings applied to twins on this silo since start (for diagnostics and load runs).</summary>
    public long IngestedTotal => Interlocked.Read(ref _ingestedTotal);
    public long DuplicatesTotal => Interlocked.Read(ref _duplicatesTotal);

    public void Ingested()
    {
        Interlocked.Increment(ref _ingestedTotal);
        _ingested.Add(1);
    }

    public void Duplicate()
    {
        Interlocked.Increment(ref _duplicatesTotal);
        _duplicates.Add(1);
    }
}
