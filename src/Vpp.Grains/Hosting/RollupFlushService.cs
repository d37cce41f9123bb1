using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Persistence.Telemetry;

namespace Vpp.Grains.Hosting;

/// <summary>
/// Every flush interval, merges the minutes that have ended into the store in one batch (a running
/// minute waits until it ends, so it is written once). A failed write puts the rows back (they merge
/// with newer ones) and is retried next time; on shutdown everything is written, running minutes too.
/// </summary>
public sealed class RollupFlushService(RollupBuffer buffer, IRollupStore store, IOptions<TwinOptions> options,
    TwinMetrics metrics, IClock clock, ILogger<RollupFlushService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.History.FlushInterval.ToTimeSpan());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(clock.GetCurrentInstant(), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(null, cancellationToken);
    }

    /// <summary>
    /// Writes the minutes ended by <paramref name="closedAt"/> (null: everything, running minutes too:
    /// partial rows merge exactly). False if the write failed; the rows are kept for the next try.
    /// </summary>
    public async Task<bool> FlushAsync(Instant? closedAt, CancellationToken ct)
    {
        var rows = buffer.Drain(closedAt);
        if (rows.Count == 0) return true;
        try
        {
            await store.MergeAsync(rows, ct);
            metrics.RollupRowsWritten(rows.Count);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            buffer.Return(rows);
            metrics.RollupFlushFailed();
            log.LogWarning(e, "Writing {Rows} telemetry rollup rows failed; they stay buffered and are retried", rows.Count);
            return false;
        }
    }
}
