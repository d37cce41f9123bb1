using NodaTime;
using Vpp.Contracts.Registrations;
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

    /// <summary>
    /// Several readings in seq order (a Kafka batch): one call instead of one per reading. The caller
    /// never changes the list after the call, so a call within the silo shares it instead of copying it.
    /// </summary>
    [Alias("ReportMany")]
    Task ReportMany([Immutable] IReadOnlyList<TelemetryReading> readings);

    [Alias("Acknowledge")]
    Task<AckOutcome> Acknowledge(string commandId, AckStatus status, string? reason);

    [Alias("GetState")]
    Task<DeviceTwinState> GetState();

    /// <summary>Starts the device's stream. Called by its site's twin, which adds it to the site afterwards.</summary>
    [Alias("Register")]
    Task<RegisterOutcome> Register(DeviceRegistration device, string tokenHash);

    /// <summary>
    /// Replaces the token hash (null revokes) and closes any live connection (close code 4001).
    /// False when the device is not registered.
    /// </summary>
    [Alias("SetToken")]
    Task<bool> SetToken(string? tokenHash);
}

/// <summary>Battery twin: also takes setpoints, enforcing limits and the home's backup reserve.</summary>
[Alias("vpp.IBatteryGrain")]
public interface IBatteryGrain : IDeviceGrain
{
    [Alias("IssueSetpoint")]
    Task<CommandRecord> IssueSetpoint(SetpointRequest request);

    /// <summary>Recent commands, newest last, with their live status (the full history is a read model).</summary>
    [Alias("GetCommands")]
    Task<IReadOnlyList<CommandRecord>> GetCommands();

    /// <summary>
    /// Local frequency response: records the commitment and sends its droop parameters to the device
    /// (again on reconnect while valid). 0 kW ends it. False when the homeowner's settings forbid it.
    /// </summary>
    [Alias("AssignDroop")]
    Task<bool> AssignDroop(double committedKw, Instant validUntil);

    /// <summary>While the grid is quiet: move the SoC back into the window that sustains the commitment for 15 min both ways.</summary>
    [OneWay, Alias("RestoreSoc")]
    Task RestoreSoc(double committedKw);

    /// <summary>The site's settings changed (reserve, participation, override).</summary>
    [OneWay, Alias("SiteSettingsChanged")]
    Task SiteSettingsChanged(SiteSettings settings);
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

    [Alias("SendFrequencyResponse")]
    Task SendFrequencyResponse(DroopAssignment assignment);

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
