using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Domain.Telemetry;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Persistence.Telemetry;
using Vpp.Protocol;

namespace Vpp.Grains.Devices;

/// <summary>The services every device twin needs, in one bundle so subclasses stay short.</summary>
public sealed class DeviceTwinServices(
    IEventStore events, IClock clock, IOptions<TwinOptions> options, TwinMetrics metrics, RollupBuffer rollups)
{
    public IEventStore Events => events;
    public IClock Clock => clock;
    public TwinOptions Options => options.Value;
    public TwinMetrics Metrics => metrics;
    public RollupBuffer Rollups => rollups;
    /// <summary>Built once: it is consulted for every reading.</summary>
    public LatenessPolicy Lateness { get; } = options.Value.History.Policy;
}

/// <summary>
/// What every device twin does: rebuild its registration and command log from its stream, hold
/// the latest reading, ignore repeated or older sequence numbers, fold readings into the telemetry
/// history by event time, own the one live connection, and forward readings to its site.
/// </summary>
public abstract class DeviceGrainBase(DeviceTwinServices services) : Grain, IDeviceGrain
{
    private IDeviceConnection? _connection;
    private long _lastSeq = -1;
    private Instant? _newestTs;
    private Instant? _lastSeen;
    private Instant? _watermark;
    private TelemetryReading? _last;
    private Instant _lastForwarded;
    private IGrainTimer? _forwardTimer;

    /// <summary>
    /// A device reporting faster than this is forwarded to its site at most this often (the site
    /// publishes once a second anyway); the latest reading always gets through.
    /// </summary>
    private static readonly Duration ForwardInterval = Duration.FromMilliseconds(200);

    private const int SnapshotEvery = 100;

    protected EventSourcedStream<DeviceAggregate> Stream { get; private set; } = null!;
    protected IClock Clock => services.Clock;
    protected TwinOptions Options => services.Options;
    protected DeviceRegistration Registration =>
        Stream.State.Registration ?? throw new InvalidOperationException($"Device '{this.GetPrimaryKeyString()}' is not registered.");
    protected bool IsRegistered => Stream.State.Registration is not null;
    protected IDeviceConnection? Connection => _connection;
    protected TelemetryReading? LastReading => _last;
    // Resolved once: GetGrain reflects over the interface on every call (a CPU profile of 10 000
    // devices at 1 Hz showed it on the telemetry path).
    protected ISiteGrain Site
    {
        get
        {
            var siteId = Registration.SiteId;
            if (_site is null || _siteId != siteId) (_siteId, _site) = (siteId, GrainFactory.GetGrain<ISiteGrain>(siteId));
            return _site;
        }
    }

    private ISiteGrain? _site;
    private string? _siteId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Stream = new EventSourcedStream<DeviceAggregate>(services.Events, StreamKeys.Device(this.GetPrimaryKeyString()), SnapshotEvery);
        await Stream.LoadAsync(cancellationToken);
    }

    public async Task<RegisterOutcome> Register(DeviceRegistration device, string tokenHash)
    {
        if (IsRegistered) return RegisterOutcome.AlreadyExists;
        try
        {
            var events = await Stream.ExecuteAsync(s => s.Register(device, tokenHash));
            if (events.Count == 0) return RegisterOutcome.AlreadyExists;
            await OnRegisteredAsync();
            return RegisterOutcome.Registered;
        }
        catch (StreamConflictException)
        {
            return RegisterOutcome.AlreadyExists;
        }
    }

    /// <summary>Runs once when the device's stream is created (activation found nothing to load).</summary>
    protected virtual Task OnRegisteredAsync() => Task.CompletedTask;

    public async Task<bool> SetToken(string? tokenHash)
    {
        if (!IsRegistered) return false;
        await Stream.ExecuteAsync(s => s.SetToken(tokenHash, Clock.GetCurrentInstant()));
        if (_connection is { } c)
        {
            c.Close(ProtocolCloseCodes.TokenRevoked, "token rotated or revoked").Ignore();
            await Disconnect(c);
        }
        return true;
    }

    public virtual Task<DeviceConnectResult> Connect(IDeviceConnection connection)
    {
        _ = Registration;
        if (_connection is not null && !_connection.Equals(connection))
            _connection.Close(ProtocolCloseCodes.Replaced, "replaced by a newer connection").Ignore();
        _connection = connection;
        Site.DeviceConnectionChanged(Registration.DeviceId, true).Ignore();
        // -1: nothing seen yet, so a first reading with seq 0 counts (the welcome frame says 0).
        return Task.FromResult(new DeviceConnectResult(_lastSeq, TakePendingSetpoints(), TakePendingDroop()));
    }

    /// <summary>Local frequency-response parameters to send on (re)connect; battery twins override.</summary>
    protected virtual DroopAssignment? TakePendingDroop() => null;

    /// <summary>Setpoints that must be sent on (re)connect; battery twins override.</summary>
    protected virtual IReadOnlyList<CommandRecord> TakePendingSetpoints() => [];

    public Task Disconnect(IDeviceConnection connection)
    {
        if (_connection is not null && _connection.Equals(connection))
        {
            _connection = null;
            if (IsRegistered) Site.DeviceConnectionChanged(Registration.DeviceId, false).Ignore();
        }
        return Task.CompletedTask;
    }

    public Task Report(TelemetryReading reading)
    {
        if (!IsRegistered) return Task.CompletedTask;
        var metrics = services.Metrics;
        if (TelemetryOrder.IsRepeat(reading.Seq, reading.Ts, _lastSeq, _newestTs))
        {
            metrics.Duplicate();
            return Task.CompletedTask;
        }
        _lastSeq = reading.Seq;
        if (_newestTs is null || reading.Ts > _newestTs) _newestTs = reading.Ts;
        _lastSeen = Clock.GetCurrentInstant();
        metrics.Ingested();
        Fold(reading);
        // A backfilled reading is history, not the present: live state keeps the newest ts.
        if (_last is not null && reading.Ts < _last.Ts) return Task.CompletedTask;
        _last = reading;
        ForwardToSite();
        return OnReadingAsync(reading);
    }

    public async Task ReportMany(IReadOnlyList<TelemetryReading> readings)
    {
        foreach (var r in readings) await Report(r);
    }

    private void Fold(TelemetryReading r)
    {
        switch (services.Lateness.Classify(r.Ts, _watermark, Clock.GetCurrentInstant()))
        {
            case ReadingTiming.TooLate:
                services.Metrics.TooLate();
                return;
            case ReadingTiming.BeyondBackfill:
                services.Metrics.BeyondBackfill();
                return;
        }
        if (_watermark is null || r.Ts > _watermark) _watermark = r.Ts;
        var reg = Registration;
        var flow = reg.Kind switch
        {
            DeviceKind.Solar => SiteFlow.Pv,
            DeviceKind.Meter => SiteFlow.Grid,
            _ => SiteFlow.Battery,
        };
        var power = r.FlowKw(reg.Kind);
        services.Rollups.Add(reg.SiteId, reg.DeviceId, flow, Options.TelemetryInterval, reg.Battery?.CapacityKwh,
            r.Ts, power, reg.Kind == DeviceKind.Meter ? r.LoadKw : null, reg.Kind == DeviceKind.Battery ? r.SocPct : null);
    }

    private void ForwardToSite()
    {
        if (Clock.GetCurrentInstant() - _lastForwarded >= ForwardInterval)
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
        _lastForwarded = Clock.GetCurrentInstant();
        Site.DeviceReported(Registration.DeviceId, Registration.Kind, _last!).Ignore();
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
        DeviceLiveness.Of(_connection is not null, _lastSeen, Clock.GetCurrentInstant(), Options.StaleAfter);
}

/// <summary>Online / stale / offline from connection and last arrival (server clock, not device ts).</summary>
public static class DeviceLiveness
{
    public static DeviceStatus Of(bool connected, Instant? lastSeen, Instant now, Duration staleAfter) =>
        !connected ? DeviceStatus.Offline
        : lastSeen is { } seen && now - seen <= staleAfter ? DeviceStatus.Online
        : DeviceStatus.Stale;
}
