using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Vpp.Host.Devices;

/// <summary>Gateway counters (System.Diagnostics.Metrics, meter "Vpp.Gateway"), also readable in-process for /api/diagnostics.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Vpp.Gateway";
    private readonly Counter<long> _frames;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _rejectedUpgrades;
    private readonly Histogram<double> _centralResponse;
    private readonly ConcurrentDictionary<string, long> _errorsByCode = new();
    private long _open;
    private long _framesTotal;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _frames = meter.CreateCounter<long>("vpp.gateway.frames", description: "Frames received from devices");
        _errors = meter.CreateCounter<long>("vpp.gateway.protocol_errors", description: "Frames refused, tagged by error code");
        _rejectedUpgrades = meter.CreateCounter<long>("vpp.gateway.rejected_upgrades", description: "Upgrades refused with 401");
        _centralResponse = meter.CreateHistogram<double>("vpp.gateway.central_response", unit: "ms",
            description: "Central frequency response: the signal reaching a host → the last frame of the batch written to its socket");
        meter.CreateObservableGauge("vpp.gateway.connections", () => Interlocked.Read(ref _open), description: "Open device connections");
    }

    public long OpenConnections => Interlocked.Read(ref _open);
    public long FramesTotal => Interlocked.Read(ref _framesTotal);
    public IReadOnlyDictionary<string, long> ErrorsByCode => _errorsByCode;

    public void Frame()
    {
        Interlocked.Increment(ref _framesTotal);
        _frames.Add(1);
    }

    public void Error(string code)
    {
        _errorsByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
        _errors.Add(1, new KeyValuePair<string, object?>("code", code));
    }

    public void RejectedUpgrade() => _rejectedUpgrades.Add(1);
    public void CentralResponse(double ms) => _centralResponse.Record(ms);
    public void Opened() => Interlocked.Increment(ref _open);
    public void Closed() => Interlocked.Decrement(ref _open);
}
