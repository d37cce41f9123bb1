using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;
using Vpp.Persistence.Events;
using Vpp.Protocol;

namespace Vpp.Grains.Devices;

/// <summary>
/// The battery's part in frequency response: local droop parameters (recorded, sent, re-sent on
/// reconnect), central response setpoints (sent at once, not recorded per device: the region
/// records the activation) and SoC restoration while the grid is quiet.
/// </summary>
public sealed partial class BatteryGrain
{
    private const string CentralReason = "frequency response";
    private const string RestoreReason = "restore SoC window for frequency response";
    private static readonly Duration RestoreFor = Duration.FromSeconds(60);
    private static readonly DroopSettings Droop = new(Power.Zero);

    // Central response commands live only in this activation; the device may ack them.
    private readonly Queue<string> _transient = new();
    private readonly HashSet<string> _transientIds = new(StringComparer.Ordinal);
    private double? _centralBaseKw;

    public async Task<bool> AssignDroop(double committedKw, Instant validUntil)
    {
        if (!double.IsFinite(committedKw) || committedKw < 0) throw new ArgumentOutOfRangeException(nameof(committedKw), "committedKw must be a finite number ≥ 0.");
        var now = Clock.GetCurrentInstant();
        if (committedKw > 0 && (!_settings.Participating || _settings.OverrideActiveAt(now))) return false;
        committedKw = Math.Min(committedKw, Math.Min(Spec.MaxCharge.Kw, Spec.MaxDischarge.Kw));
        var reg = Registration;
        var commandId = "fr_" + Guid.CreateVersion7().ToString("N");
        await Stream.ExecuteAsync(_ => [new DroopAssigned(reg.DeviceId, reg.SiteId, commandId, committedKw, validUntil, now)]);
        if (Connection is { } connection)
        {
            try
            {
                await connection.SendFrequencyResponse(Assignment(commandId, committedKw, validUntil)).WaitAsync(SendTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                await Disconnect(connection);
            }
        }
        return true;
    }

    private DroopAssignment Assignment(string commandId, double committedKw, Instant validUntil) =>
        new(commandId, committedKw, Droop.NominalHz, Droop.DeadbandHz, Droop.FullActivationHz, validUntil, Reserve.Value);

    protected override DroopAssignment? TakePendingDroop() =>
        Stream.State.Droop is { } d && d.ValidUntil > Clock.GetCurrentInstant() ? Assignment(d.CommandId, d.CommittedKw, d.ValidUntil) : null;

    public async Task CentralResponse(double responseKw, Instant validUntil)
    {
        var now = Clock.GetCurrentInstant();
        if (!IsRegistered || Connection is null || !double.IsFinite(responseKw) || validUntil <= now) return;
        if (!_settings.Participating || _settings.OverrideActiveAt(now)) return;
        var running = Stream.State.Commands.LastOrDefault(c => DeviceAggregate.IsOpen(c.Status) && c.ValidUntil > now);
        if (responseKw == 0)
        {
            if (_centralBaseKw is not { } before) return;
            _centralBaseKw = null;
            // Back to what it did before: the running setpoint again, or its old power for a second, then self-consumption.
            await SendTransient(running?.PowerKw ?? before, running?.ValidUntil ?? now + Duration.FromSeconds(1));
            return;
        }
        _centralBaseKw ??= running?.PowerKw ?? LastReading?.PowerKw ?? 0;
        var basis = running?.PowerKw ?? _centralBaseKw.Value;
        var power = new Power(basis + responseKw).Clamp(-Spec.MaxCharge, Spec.MaxDischarge);
        var soc = LastReading?.SocPct is { } s ? new Percent(s) : (Percent?)null;
        if (power.Kw > 0 && SetpointPolicy.Refusal(Spec, power, soc, Reserve) is not null) power = Power.Zero;
        await SendTransient(power.Kw, validUntil);
    }

    private async Task SendTransient(double powerKw, Instant validUntil)
    {
        if (Connection is not { } connection) return;
        var now = Clock.GetCurrentInstant();
        var id = "frc_" + Guid.CreateVersion7().ToString("N");
        _transient.Enqueue(id);
        _transientIds.Add(id);
        while (_transient.Count > 64) _transientIds.Remove(_transient.Dequeue());
        var command = new CommandRecord(id, Registration.DeviceId, Math.Round(powerKw, 3), now, validUntil, CentralReason, Reserve.Value,
            CommandStatus.Sent, null, now);
        try
        {
            await connection.SendSetpoint(command).WaitAsync(SendTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            await Disconnect(connection);
        }
    }

    /// <summary>Acks of central response commands and droop assignments are fine but not recorded (nothing to decide).</summary>
    private bool IsUnrecordedCommand(string commandId) =>
        _transientIds.Contains(commandId) || Stream.State.Droop?.CommandId == commandId || commandId.StartsWith("fr_", StringComparison.Ordinal);

    public async Task RestoreSoc(double committedKw)
    {
        var now = Clock.GetCurrentInstant();
        if (!IsRegistered || _centralBaseKw is not null || LastReading?.SocPct is not { } soc) return;
        if (!_settings.Participating || _settings.OverrideActiveAt(now)) return;
        var running = Stream.State.Commands.LastOrDefault(c => DeviceAggregate.IsOpen(c.Status) && c.ValidUntil > now);
        if (running is not null && running.Reason != RestoreReason) return; // a dispatch or the operator has the battery
        if (SocRestoration.Setpoint(Spec, new Percent(soc), Reserve, new Power(committedKw)) is not { } target) return;
        if (running is not null && Math.Abs(running.PowerKw - target.Kw) < 1e-6) return;
        await Issue(target.Kw, RestoreFor, RestoreReason);
    }
}
