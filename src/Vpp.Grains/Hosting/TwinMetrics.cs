using System.Diagnostics.Metrics;

namespace Vpp.Grains.Hosting;

/// <summary>Counters of what the twins ingest; exported through OpenTelemetry-compatible System.Diagnostics.Metrics.</summary>
public sealed class TwinMetrics
{
    public const string MeterName = "Vpp.Twins";
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _tooLate;
    private readonly Counter<long> _beyondBackfill;
    private readonly Counter<long> _rollupRows;
    private readonly Counter<long> _rollupFailures;
    private long _ingestedTotal;
    private long _duplicatesTotal;
    private long _tooLateTotal;
    private long _beyondBackfillTotal;
    private long _rollupRowsTotal;

    public TwinMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ingested = meter.CreateCounter<long>("vpp.twins.telemetry_ingested", description: "Readings applied to device twins");
        _duplicates = meter.CreateCounter<long>("vpp.twins.telemetry_duplicates", description: "Readings ignored as repeated or older seq");
        _tooLate = meter.CreateCounter<long>("vpp.history.readings_too_late", description: "Readings older than their device's newest by more than the allowed lateness; not in history");
        _beyondBackfill = meter.CreateCounter<long>("vpp.history.readings_beyond_backfill", description: "Readings older than the backfill horizon; not in history");
        _rollupRows = meter.CreateCounter<long>("vpp.history.rollup_rows_written", description: "Minute rollup rows merged into the store");
        _rollupFailures = meter.CreateCounter<long>("vpp.history.rollup_flush_failures", description: "Rollup flushes that failed and were retried");
    }

    /// <summary>Readings applied to twins on this silo since start (for diagnostics and load runs).</summary>
    public long IngestedTotal => Interlocked.Read(ref _ingestedTotal);
    public long DuplicatesTotal => Interlocked.Read(ref _duplicatesTotal);
    public long TooLateTotal => Interlocked.Read(ref _tooLateTotal);
    public long BeyondBackfillTotal => Interlocked.Read(ref _beyondBackfillTotal);
    public long RollupRowsTotal => Interlocked.Read(ref _rollupRowsTotal);

    public void TooLate()
    {
        Interlocked.Increment(ref _tooLateTotal);
        _tooLate.Add(1);
    }

    public void BeyondBackfill()
    {
        Interlocked.Increment(ref _beyondBackfillTotal);
        _beyondBackfill.Add(1);
    }

    public void RollupRowsWritten(int rows)
    {
        Interlocked.Add(ref _rollupRowsTotal, rows);
        _rollupRows.Add(rows);
    }

    public void RollupFlushFailed() => _rollupFailures.Add(1);

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
