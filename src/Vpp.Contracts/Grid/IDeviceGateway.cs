using NodaTime;

namespace Vpp.Contracts.Grid;

/// <summary>One battery's central frequency-response setpoint.</summary>
[GenerateSerializer, Immutable, Alias("vpp.CentralFrame")]
public sealed record CentralFrame([property: Id(0)] string DeviceId, [property: Id(1)] double PowerKw, [property: Id(2)] double MinSocPct);

/// <summary>
/// A region's central frequency response for all its committed batteries, valid until <see cref="ValidUntil"/>;
/// <see cref="SignalReceivedAt"/>: when the frequency signal that caused it reached a host.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.CentralFrames")]
public sealed record CentralFrames([property: Id(0)] string Region, [property: Id(1)] Instant ValidUntil, [property: Id(2)] CentralFrame[] Frames,
    [property: Id(3)] Instant? SignalReceivedAt = null);

/// <summary>
/// A host's device gateway, reachable from grains on any silo. Central frequency response goes to
/// every gateway in one message per host; each writes the frames of the devices connected to it.
/// </summary>
[Alias("vpp.IDeviceGateway")]
public interface IDeviceGateway : IGrainObserver
{
    [OneWay, Alias("SendCentralResponse")]
    Task SendCentralResponse(CentralFrames frames);
}

/// <summary>Where hosts announce their gateways (key 0). Entries not renewed within 90 s are dropped.</summary>
[Alias("vpp.IGatewayDirectoryGrain")]
public interface IGatewayDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Announce")]
    Task Announce(IDeviceGateway gateway);

    [Alias("Withdraw")]
    Task Withdraw(IDeviceGateway gateway);

    [Alias("List")]
    Task<IReadOnlyList<IDeviceGateway>> List();
}
