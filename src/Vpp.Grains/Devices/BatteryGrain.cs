using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Domain.Batteries;
using Vpp.Domain.Units;
using Vpp.Protocol;

namespace Vpp.Grains.Devices;

/// <summary>
/// Battery twin. Issues setpoints after <see cref="SetpointPolicy"/> allows them, records every
/// command and ack in its stream, and stops a discharge the moment telemetry shows the backup
/// reserve reached (the device is told the reserve too, as <c>minSocPct</c>: two independent guards).
/// </summary>
public sealed partial class BatteryGrain(DeviceTwinServices services) : DeviceGrainBase(services), IBatteryGrain
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    private SiteSettings _settings = new(100, false, null, null);
    // Written to the current connection this activation; "sent" is not a decision, so it is not an event.
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private IGrainTimer? _expiryTimer;

    private BatterySpec Spec => Registration.Battery!.ToSpec();
    private Percent Reserve => new(_settings.BackupReservePct);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (!IsRegistered) return;
        _settings = await Site.GetSettings() ?? _settings;
        await ExpireDue();
    }

    // The site is mid-call (AddDevice) here; GetSettings interleaves, so this cannot deadlock.
    protected override async Task OnRegisteredAsync() => _settings = await Site.GetSettings() ?? _settings;

    public Task SiteSettingsChanged(SiteSettings settings)
    {
        _settings = settings;
        return Task.CompletedTask;
    }

    public async Task<CommandRecord> IssueSetpoint(SetpointRequest request)
    {
        if (request.ValidFor < Duration.FromSeconds(1) || request.ValidFor > Duration.FromHours(24))
            throw new ArgumentOutOfRangeException(nameof(request), "validFor must be between 1 second and 24 hours.");
        var now = Clock.GetCurrentInstant();
        if (_settings.OverrideActiveAt(now))
            throw new ArgumentOutOfRangeException(nameof(request),
                $"The homeowner has taken manual control until {_settings.ManualOverrideUntil} ({_settings.ManualOverrideReason}).");
        var soc = LastReading?.SocPct is { } s ? new Percent(s) : (Percent?)null;
        var refusal = SetpointPolicy.Refusal(Spec, new Power(request.PowerKw), soc, Reserve);
        if (refusal is not null) throw new ArgumentOutOfRangeException(nameof(request), refusal);
        return await Issue(request.PowerKw, request.ValidFor, request.Reason);
    }

    private async Task<CommandRecord> Issue(double powerKw, Duration validFor, string reason)
    {
        var now = Clock.GetCurrentInstant();
        var commandId = "cmd_" + Guid.CreateVersion7().ToString("N");
        await Stream.ExecuteAsync(s => s.Issue(commandId, powerKw, now + validFor, reason, Reserve.Value, now));
        ScheduleExpiry(now + validFor);
        var command = Find(commandId);
        if (Connection is { } connection)
        {
            try
            {
                await connection.SendSetpoint(command).WaitAsync(SendTimeout);
                _sent.Add(commandId);
                WatchAcknowledgement(commandId);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // The socket's host is gone; the command stays pending and goes out on reconnect.
                await Disconnect(connection);
            }
        }
        return Find(commandId);
    }

    protected override IReadOnlyList<CommandRecord> TakePendingSetpoints()
    {
        var now = Clock.GetCurrentInstant();
        // Only the newest still-valid command matters: the device runs one setpoint at a time.
        var latest = Stream.State.Commands.LastOrDefault(c => DeviceAggregate.IsOpen(c.Status) && c.ValidUntil > now);
        if (latest is null) return [];
        _sent.Add(latest.CommandId);
        return [Find(latest.CommandId)];
    }

    protected override async Task OnReadingAsync(TelemetryReading reading)
    {
        if (reading.SocPct is not { } soc) return;
        var now = Clock.GetCurrentInstant();
        if (RunningCommand() is not { } running || running.ValidUntil <= now) return;
        if (SetpointPolicy.MustStopDischarge(new Power(running.PowerKw), new Percent(soc), Reserve))
        {
            Site.SetpointFailed(Registration.DeviceId, running.CommandId, "backup reserve reached").Ignore();
            await Issue(0, running.ValidUntil - now, "backup reserve reached");
        }
    }

    /// <summary>The latest accepted, or sent and still open, command (a plain loop: this runs for every reading).</summary>
    private CommandRecord? RunningCommand()
    {
        var commands = Stream.State.Commands;
        for (var i = commands.Count - 1; i >= 0; i--)
        {
            var c = commands[i];
            if (c.Status == CommandStatus.Accepted || _sent.Contains(c.CommandId) && DeviceAggregate.IsOpen(c.Status)) return c;
        }
        return null;
    }

    public override async Task<AckOutcome> Acknowledge(string commandId, AckStatus status, string? reason)
    {
        if (IsUnrecordedCommand(commandId)) return AckOutcome.Recorded;
        var outcome = AckOutcome.UnknownCommand;
        await Stream.ExecuteAsync(s =>
        {
            (outcome, var events) = s.Acknowledge(commandId, status, reason, Clock.GetCurrentInstant());
            return events;
        });
        if (outcome == AckOutcome.Recorded && status == AckStatus.Rejected)
            Site.SetpointFailed(Registration.DeviceId, commandId, "rejected by the device: " + (reason ?? "no reason given")).Ignore();
        return outcome;
    }

    /// <summary>Recent commands with their status as of now (an overdue open command shows as expired).</summary>
    public Task<IReadOnlyList<CommandRecord>> GetCommands()
    {
        var now = Clock.GetCurrentInstant();
        return Task.FromResult<IReadOnlyList<CommandRecord>>(Stream.State.Commands.Select(c => View(c, now)).ToList());
    }

    private CommandRecord Find(string commandId) =>
        View(Stream.State.Commands.Single(c => c.CommandId == commandId), Clock.GetCurrentInstant());

    private CommandRecord View(CommandRecord c, Instant now) => c.Status switch
    {
        _ when DeviceAggregate.IsOpen(c.Status) && c.ValidUntil <= now => c with { Status = CommandStatus.Expired, UpdatedAt = c.ValidUntil },
        CommandStatus.Pending when _sent.Contains(c.CommandId) => c with { Status = CommandStatus.Sent },
        _ => c,
    };

    /// <summary>
    /// A setpoint the device has not accepted within the acknowledgement timeout has failed as far as
    /// the site is concerned (its dispatch share moves elsewhere); the command itself stays open.
    /// </summary>
    private void WatchAcknowledgement(string commandId)
    {
        var timeout = Options.Grid.AckTimeout;
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(() =>
        {
            timer?.Dispose();
            var command = Stream.State.Commands.LastOrDefault();
            if (command?.CommandId == commandId && command.Status is CommandStatus.Pending or CommandStatus.Sent
                                                && command.ValidUntil > Clock.GetCurrentInstant())
                Site.SetpointFailed(Registration.DeviceId, commandId, $"not acknowledged within {timeout.TotalSeconds:0.#} s").Ignore();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = timeout.ToTimeSpan(), Period = Timeout.InfiniteTimeSpan });
    }

    private void ScheduleExpiry(Instant validUntil)
    {
        var due = validUntil - Clock.GetCurrentInstant();
        _expiryTimer?.Dispose();
        _expiryTimer = this.RegisterGrainTimer(ExpireDue, new GrainTimerCreationOptions
        {
            DueTime = (due < Duration.Zero ? Duration.Zero : due).ToTimeSpan() + TimeSpan.FromMilliseconds(50),
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    /// <summary>Records the timeout of open commands whose validUntil has passed.</summary>
    private Task ExpireDue() => Stream.ExecuteAsync(s => s.Expire(Clock.GetCurrentInstant()));
}
