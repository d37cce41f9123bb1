using NodaTime;
using System.Collections.Concurrent;
using Vpp.Contracts.Grid;
using Vpp.Host.Hosting;

namespace Vpp.Host.Devices;

/// <summary>
/// This host's gateway as grains see it: the device sessions connected here, by device id, and the
/// fast path for central frequency response (one message per host, frames written straight to the
/// sockets without a grain hop per device). Announced to the gateway directory (see <see cref="DirectoryAnnouncer"/>).
/// </summary>
internal sealed class DeviceGateway(IGrainFactory grains, IClusterMembershipService membership, IClock clock, GatewayMetrics metrics,
    ILogger<DeviceGateway> log) : BackgroundService, IDeviceGateway
{
    private readonly ConcurrentDictionary<string, DeviceSession> _sessions = new(StringComparer.Ordinal);
    private IDeviceGateway? _self;

    public void Attach(string deviceId, DeviceSession session) => _sessions[deviceId] = session;

    public void Detach(string deviceId, DeviceSession session) => _sessions.TryRemove(new KeyValuePair<string, DeviceSession>(deviceId, session));

    /// <summary>
    /// Writes the frames of the devices connected here. On loopback a socket send mostly completes
    /// synchronously (one syscall per frame), so the work is split over the cores rather than queued
    /// on the calling thread.
    /// </summary>
    public Task SendCentralResponse(CentralFrames batch)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var frames = batch.Frames;
        var chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, frames.Length / 256));
        var size = (frames.Length + chunks - 1) / Math.Max(1, chunks);
        var work = Enumerable.Range(0, chunks).Select(c => Task.Run(async () =>
        {
            var sends = new List<Task>();
            for (var i = c * size; i < Math.Min(frames.Length, (c + 1) * size); i++)
                if (_sessions.TryGetValue(frames[i].DeviceId, out var session)) sends.Add(session.SendCentralResponse(frames[i], batch.ValidUntil));
            await Task.WhenAll(sends);
        })).ToList();
        _ = Task.WhenAll(work).ContinueWith(_ =>
        {
            // From the signal reaching a host (the consumer's clock; hosts keep NTP time) to the last frame written here.
            var fromSignal = batch.SignalReceivedAt is { } received ? (clock.GetCurrentInstant() - received).TotalMilliseconds : (double?)null;
            if (fromSignal is { } ms) metrics.CentralResponse(ms);
            log.LogDebug("Central response {Region}: {Frames} frames written in {Ms:0.0} ms; signal → last frame {FromSignal:0.0} ms",
                batch.Region, frames.Length, sw.Elapsed.TotalMilliseconds, fromSignal);
        }, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _self = grains.CreateObjectReference<IDeviceGateway>(this);
        var directory = grains.GetGrain<IGatewayDirectoryGrain>(0);
        return DirectoryAnnouncer.RunAsync(() => directory.Announce(_self), membership, log, "device gateway", stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_self is { } self) await DirectoryAnnouncer.WithdrawAsync(() => grains.GetGrain<IGatewayDirectoryGrain>(0).Withdraw(self), cancellationToken);
        await base.StopAsync(cancellationToken);
    }
}
