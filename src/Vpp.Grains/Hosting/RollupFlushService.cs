using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vpp.Persistence.Telemetry;

namespace Vpp.Grains.Hosting;

/// <summary>
/// Merges this host's buffered minute rollups into the store every flush interval, in one batch.
/// A failed write puts the rows back (they merge with newer ones) and is retried next time; the
/// final flush runs on shutdown.
/// </summary>
public sealed class RollupFlushService(RollupBuffer buffer, IRollupStore store, IOptions<TwinOptions> options,
    TwinMetrics metrics, ILogger<RollupFlushService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.History.FlushInterval.ToTimeSpan());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Writes everything buffered so far. Public so tests and load runs can force a flush.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var rows = buffer.Drain();
        if (rows.Count == 0) return;
        try
        {
            await store.MergeAsync(rows, ct);
            metrics.RollupRowsWritten(rows.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            buffer.Return(rows);
            metrics.RollupFlushFailed();
            log.LogWarning(e, "Writing {Rows} telemetry rollup rows failed; they stay buffered and are retried", rows.Count);
        }
    }
}
