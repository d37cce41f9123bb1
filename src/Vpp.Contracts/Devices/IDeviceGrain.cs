using Vpp.Protocol;

namespace Vpp.Contracts.Devices;

/// <summary>The digital twin of one device; key = deviceId.</summary>
[Alias("vpp.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Binds a live connection to the twin. A previous connection, on any host, is told to close
    /// (close code 4000). Returns the last sequence number the twin has seen.
    /// </summary>
    [Alias("Connect")]
    Task<DeviceConnectResult> Connect(IDeviceConnection connection);

    /// <summary>Unbinds the connection if it is still the current one.</summary>
    [Alias("Disconnect")]
    Task Disconnect(IDeviceConnection connection);

    /// <summary>
    /// A reading already validated by the gateway. A repeated or older seq is ignored. Not one-way:
    /// the gateway pipelines a few calls per connection and awaits them, which bounds the twin's
    /// queue (back-pressure reaches the device's socket instead of memory).
    /// </summary>
    [Alias("Report")]
    Task Report(TelemetryReading reading);

    [Alias("Acknowledge")]
    Task<AckOutcome> Acknowledge(string commandId, AckStatus status, string? reason);

    [Alias("GetState")]
    Task<DeviceTwinState> GetState();

    /// <summary>The token was rotated or revoked: close any live connection (close code 4001).</summary>
    [Alias("RevokeConnection")]
    Task RevokeConnection();
}

/// <summary>Battery twin: also takes setpoints, enforcing limits and the home's backup reserve.</summary>
[Alias("vpp.IBatteryGrain")]
public interface IBatteryGrain : IDeviceGrain
{
    [Alias("IssueSetpoint")]
    Task<CommandRecord> IssueSetpoint(SetpointRequest request);

    [Alias("GetCommands")]
    Task<IReadOnlyList<CommandRecord>> GetCommands();
}

[Alias("vpp.ISolarInverterGrain")]
public interface ISolarInverterGrain : IDeviceGrain;

[Alias("vpp.IMeterGrain")]
public interface IMeterGrain : IDeviceGrain;

/// <summary>
/// A device's live connection, implemented by the gateway on whichever host holds the socket.
/// The twin calls it to push setpoints and to end the connection.
/// </summary>
[Alias("vpp.IDeviceConnection")]
public interface IDeviceConnection : IGrainObserver
{
    [Alias("SendSetpoint")]
    Task SendSetpoint(CommandRecord command);

    [OneWay, Alias("Close")]
    Task Close(int closeCode, string reason);
}

public static class DeviceGrains
{
    public static IDeviceGrain Get(IGrainFactory grains, DeviceKind kind, string deviceId) => kind switch
    {
        DeviceKind.Battery => grains.GetGrain<IBatteryGrain>(deviceId),
        DeviceKind.Solar => grains.GetGrain<ISolarInverterGrain>(deviceId),
        DeviceKind.Meter => grains.GetGrain<IMeterGrain>(deviceId),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
