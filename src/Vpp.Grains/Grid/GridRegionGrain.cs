using Vpp.Contracts.Grid;

namespace Vpp.Grains.Grid;

/// <summary>Latest grid frequency of a region. A signal, not a decision: not event-sourced.</summary>
public sealed class GridRegionGrain : Grain, IGridRegionGrain
{
    private FrequencyReading? _latest;

    public Task ReportFrequency(FrequencyReading reading)
    {
        if (_latest is null || reading.Ts > _latest.Ts) _latest = reading;
        return Task.CompletedTask;
    }

    public Task<FrequencyReading?> GetFrequency() => Task.FromResult(_latest);
}
