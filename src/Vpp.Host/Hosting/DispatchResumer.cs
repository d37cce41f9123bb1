using Microsoft.Extensions.Options;
using Vpp.Contracts.Grid;
using Vpp.Persistence.ReadModels;

namespace Vpp.Host.Hosting;

/// <summary>
/// At start-up, resumes every dispatch that has not ended (from the open-dispatches read model):
/// after a restart of every host nothing else would wake them, and their devices would run their
/// setpoints to the end unsupervised, unmeasured and never completed. It waits
/// <c>Vpp:Grid:ResumeAfterSeconds</c> first, so that devices have reconnected (their setpoints run
/// meanwhile); a device still away then counts as lost and its share moves. Resuming is idempotent,
/// so each host doing it when it starts is harmless.
/// </summary>
public sealed class DispatchResumer(IGrainFactory grains, IReadModels readModels, IOptions<VppHostOptions> options, ILogger<DispatchResumer> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(options.Value.Grid.ResumeAfterSeconds), stoppingToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var open = await readModels.ListOpenDispatchesAsync(stoppingToken);
                await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken },
                    async (d, _) => await grains.GetGrain<IDispatchGrain>(d.Id).Resume());
                if (open.Count > 0) log.LogInformation("Resumed {Count} open dispatches", open.Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                // The cluster may still be forming; a dispatch left asleep is worse than a late one.
                log.LogWarning(e, "Could not resume open dispatches (attempt {Attempt}); retrying in 2 s", attempt);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
