using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Protocol;
using Vpp.Registry;

namespace Vpp.Grains.Devices;

/// <summary>
/// What every device twin does: hold the latest reading, ignore repeated or older sequence numbers,
/// own the one live connection, and forward readings to its site.
/// </summary>
public abstract class DeviceGrainBase(IRegistry registry, IClock clock, IOptions<TwinOptions> options, TwinMetrics metrics)
    : Grain, IDeviceGrain
{
    private DeviceRegistration? _registration;
    private IDeviceConnection? _connection;
    private long _lastSeq = -1;
    private Instant? _lastSeen;
    private TelemetryReading? _last;
    private Instant _lastForwarded;
    private IGrainTimer? _forwardTimer;

    /// <summary>
    /// A device reporting faster than this is forwarded to its site at most this often (the site
    /// publishes once a second anyway); the latest reading always gets through.
    /// </summary>
    private static readonly Duration ForwardInterval = Duration.FromMilliseconds(200);

    protected IClock Clock => clock;
    protected IRegistry Registry => registry;
    protected TwinOptions Options => options.Value;
    protected DeviceRegistration Registration =>
        _registration ?? throw new InvalidOperationException($"Device '{this.GetPrimaryKeyString()}' is not registered.");
    protected IDeviceConnection? Connection => _connection;
    protected TelemetryReading? LastReading => _last;
    protected ISiteGrain Site => GrainFactory.GetGrain<ISiteGrain>(Registration.SiteId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _registration = await registry.GetDeviceAsync(this.GetPrimaryKeyString(), cancellationToken);
    }

    public virtual Task<DeviceConnectResult> Connect(IDeviceConnection connection)
    {
        _ = Registration;
        if (_connection is not null && !_connection.Equals(connection))
            _connection.Close(ProtocolCloseCodes.Replaced, "replaced by a newer connection").Ignore();
        _connection = connection;
        Site.DeviceConnectionChanged(Registration.DeviceId, true).Ignore();
        return Task.FromResult(new DeviceConnectResult(Math.Max(_lastSeq, 0), TakePendingSetpoints()));
    }

    /// <summary>Setpoints that must be sent on (re)connect; battery twins override.</summary>
    protected virtual IReadOnlyList<CommandRecord> TakePendingSetpoints() => [];

    public Task Disconnect(IDeviceConnection connection)
    {
        if (_connection is not null && _connection.Equals(connection))
        {
            _connection = null;
            if (_registration is not null) Site.DeviceConnectionChanged(_registration.DeviceId, false).Ignore();
        }
        return Task.CompletedTask;
    }

    public Task RevokeConnection()
    {
        if (_connection is null) return Task.CompletedTask;
        _connection.Close(ProtocolCloseCodes.TokenRevoked, "token rotated or revoked").Ignore();
        return Disconnect(_connection);
    }

    public Task Report(TelemetryReading reading)
    {
        if (_registration is null) return Task.CompletedTask;
        if (reading.Seq <= _lastSeq)
        {
            metrics.Duplicate();
            return Task.CompletedTask;
        }
        _lastSeq = reading.Seq;
        _lastSeen = clock.GetCurrentInstant();
        _last = reading;
        metrics.Ingested();
        ForwardToSite();
        return OnReadingAsync(reading);
    }

    private void ForwardToSite()
    {
        if (clock.GetCurrentInstant() - _lastForwarded >= ForwardInterval)
        {
            Forward();
            return;
        }
        // Too soon: one deferred forward carries whatever reading is latest when it fires.
        _forwardTimer ??= this.RegisterGrainTimer(() =>
        {
            _forwardTimer?.Dispose();
            _forwardTimer = null;
            Forward();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = ForwardInterval.ToTimeSpan(), Period = Timeout.InfiniteTimeSpan });
    }

    private void Forward()
    {
        _lastForwarded = clock.GetCurrentInstant();
        Site.DeviceReported(_registration!.DeviceId, _registration.Kind, _last!).Ignore();
    }

    protected virtual Task OnReadingAsync(TelemetryReading reading) => Task.CompletedTask;

    public virtual Task<AckOutcome> Acknowledge(string commandId, AckStatus status, string? reason) =>
        Task.FromResult(AckOutcome.UnknownCommand);

    public Task<DeviceTwinState> GetState()
    {
        var reg = Registration;
        return Task.FromResult(new DeviceTwinState(reg.DeviceId, reg.SiteId, reg.Kind, Status(), _lastSeen, _last));
    }

    protected DeviceStatus Status() =>
        DeviceLiveness.Of(_connection is not null, _lastSeen, clock.GetCurrentInstant(), Options.StaleAfter);
}

/// <summary>Online / stale / offline from connection and last arrival (server clock, not device ts).</summary>
public static class DeviceLiveness
{
    public static DeviceStatus Of(bool connected, Instant? lastSeen, Instant now, Duration staleAfter) =>
        !connected ? DeviceStatus.Offline
        : lastSeen is { } seen && now - seen <= staleAfter ? DeviceStatus.Online
        : DeviceStatus.Stale;
}
