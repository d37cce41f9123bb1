using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Domain.Batteries;
using Vpp.Domain.Units;
using Vpp.Grains.Hosting;
using Vpp.Protocol;
using Vpp.Registry;

namespace Vpp.Grains.Devices;

/// <summary>
/// Battery twin. Issues setpoints after <see cref="SetpointPolicy"/> allows them, keeps the command
/// log, tracks acks, and stops a discharge the moment telemetry shows the backup reserve reached
/// (the device is told the reserve too, as <c>minSocPct</c>: two independent guards).
/// </summary>
public sealed class BatteryGrain(IRegistry registry, IClock clock, IOptions<TwinOptions> options, TwinMetrics metrics)
    : DeviceGrainBase(registry, clock, options, metrics), IBatteryGrain
{
    private const int CommandLogLength = 200;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    private readonly List<CommandRecord> _commands = [];
    private Percent _reserve;

    private BatterySpec Spec => Registration.Battery!.ToSpec();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        var site = await Registry.GetSiteAsync(Registration.SiteId, cancellationToken);
        _reserve = new Percent(site?.BackupReservePct ?? 100);
    }

    public async Task<CommandRecord> IssueSetpoint(SetpointRequest request)
    {
        if (request.ValidFor < Duration.FromSeconds(1) || request.ValidFor > Duration.FromHours(24))
            throw new ArgumentOutOfRangeException(nameof(request), "validFor must be between 1 second and 24 hours.");
        var soc = LastReading?.SocPct is { } s ? new Percent(s) : (Percent?)null;
        var refusal = SetpointPolicy.Refusal(Spec, new Power(request.PowerKw), soc, _reserve);
        if (refusal is not null) throw new ArgumentOutOfRangeException(nameof(request), refusal);
        return await Issue(request.PowerKw, request.ValidFor, request.Reason);
    }

    private async Task<CommandRecord> Issue(double powerKw, Duration validFor, string reason)
    {
        var now = Clock.GetCurrentInstant();
        ExpireAndSupersede(now, supersedeActive: true);
        var command = new CommandRecord("cmd_" + Guid.CreateVersion7().ToString("N"), Registration.DeviceId, powerKw, now,
            now + validFor, reason, _reserve.Value, CommandStatus.Pending, null, now);
        Record(command);
        if (Connection is { } connection)
        {
            try
            {
                await connection.SendSetpoint(command).WaitAsync(SendTimeout);
                command = Update(command.CommandId, CommandStatus.Sent, null);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // The socket's host is gone; the command stays pending and goes out on reconnect.
                await Disconnect(connection);
            }
        }
        return command;
    }

    protected override IReadOnlyList<CommandRecord> TakePendingSetpoints()
    {
        var now = Clock.GetCurrentInstant();
        ExpireAndSupersede(now, supersedeActive: false);
        // Only the newest still-valid command matters: the device runs one setpoint at a time.
        var latest = _commands.LastOrDefault(c => c.Status is CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Accepted);
        if (latest is null) return [];
        return [Update(latest.CommandId, CommandStatus.Sent, null)];
    }

    protected override async Task OnReadingAsync(TelemetryReading reading)
    {
        if (reading.SocPct is not { } soc) return;
        var running = _commands.LastOrDefault(c => c.Status is CommandStatus.Sent or CommandStatus.Accepted);
        if (running is null || running.ValidUntil <= Clock.GetCurrentInstant()) return;
        if (SetpointPolicy.MustStopDischarge(new Power(running.PowerKw), new Percent(soc), _reserve))
            await Issue(0, running.ValidUntil - Clock.GetCurrentInstant(), "backup reserve reached");
    }

    public override Task<AckOutcome> Acknowledge(string commandId, AckStatus status, string? reason)
    {
        ExpireAndSupersede(Clock.GetCurrentInstant(), supersedeActive: false);
        var index = _commands.FindIndex(c => c.CommandId == commandId);
        if (index < 0) return Task.FromResult(AckOutcome.UnknownCommand);
        var current = _commands[index];
        var next = status switch
        {
            AckStatus.Accepted => CommandStatus.Accepted,
            AckStatus.Rejected => CommandStatus.Rejected,
            _ => CommandStatus.Completed,
        };
        // Terminal states stay terminal: a repeated or late ack changes nothing.
        if (current.Status == next || IsTerminal(current.Status)) return Task.FromResult(AckOutcome.Duplicate);
        Update(commandId, next, reason);
        return Task.FromResult(AckOutcome.Recorded);
    }

    public Task<IReadOnlyList<CommandRecord>> GetCommands()
    {
        ExpireAndSupersede(Clock.GetCurrentInstant(), supersedeActive: false);
        return Task.FromResult<IReadOnlyList<CommandRecord>>(_commands.ToList());
    }

    private void ExpireAndSupersede(Instant now, bool supersedeActive)
    {
        for (var i = 0; i < _commands.Count; i++)
        {
            var c = _commands[i];
            if (c.Status is not (CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Accepted)) continue;
            if (c.ValidUntil <= now) _commands[i] = c with { Status = CommandStatus.Expired, UpdatedAt = now };
            else if (supersedeActive) _commands[i] = c with { Status = CommandStatus.Superseded, StatusReason = "a newer setpoint was issued", UpdatedAt = now };
        }
    }

    private static bool IsTerminal(CommandStatus s) =>
        s is CommandStatus.Rejected or CommandStatus.Completed or CommandStatus.Expired or CommandStatus.Superseded;

    private void Record(CommandRecord command)
    {
        _commands.Add(command);
        if (_commands.Count > CommandLogLength) _commands.RemoveAt(0);
    }

    private CommandRecord Update(string commandId, CommandStatus status, string? reason)
    {
        var i = _commands.FindIndex(c => c.CommandId == commandId);
        var updated = _commands[i] with { Status = status, StatusReason = reason ?? _commands[i].StatusReason, UpdatedAt = Clock.GetCurrentInstant() };
        _commands[i] = updated;
        return updated;
    }
}
