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
/// reconnect) and SoC restoration while the grid is quiet. Central response bypasses the twin: the
/// region sends its frames through the hosts' gateways (see GridRegionGrain).
/// </summary>
public sealed partial class BatteryGrain
{
    private const string RestoreReason = "restore SoC window for frequency response";
    private static readonly Duration RestoreFor = Duration.FromSeconds(60);
    private const string DroopCommandPrefix = "fr_";

    public async Task<bool> AssignDroop(double committedKw, Instant validUntil)
    {
        if (!double.IsFinite(committedKw) || committedKw < 0) throw new ArgumentOutOfRangeException(nameof(committedKw), "committedKw must be a finite number ≥ 0.");
        var now = Clock.GetCurrentInstant();
        if (committedKw > 0 && (!_settings.Participating || _settings.OverrideActiveAt(now))) return false;
        committedKw = Math.Min(committedKw, Math.Min(Spec.MaxCharge.Kw, Spec.MaxDischarge.Kw));
        var reg = Registration;
        var commandId = DroopCommandPrefix + Guid.CreateVersion7().ToString("N");
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
        new(commandId, committedKw, DroopSettings.Standard.NominalHz, DroopSettings.Standard.DeadbandHz, DroopSettings.Standard.FullActivationHz, validUntil, Reserve.Value);

    protected override DroopAssignment? TakePendingDroop() =>
        Stream.State.Droop is { } d && d.ValidUntil > Clock.GetCurrentInstant() ? Assignment(d.CommandId, d.CommittedKw, d.ValidUntil) : null;

    /// <summary>Acks of droop assignments are fine but not recorded (nothing to decide).</summary>
    private static bool IsUnrecordedCommand(string commandId) => commandId.StartsWith(DroopCommandPrefix, StringComparison.Ordinal);

    public async Task RestoreSoc(double committedKw)
    {
        var now = Clock.GetCurrentInstant();
        if (!IsRegistered || LastReading?.SocPct is not { } soc) return;
        if (!_settings.Participating || _settings.OverrideActiveAt(now)) return;
        var running = Stream.State.Commands.LastOrDefault(c => DeviceAggregate.IsOpen(c.Status) && c.ValidUntil > now);
        if (running is not null && running.Reason != RestoreReason) return; // a dispatch or the operator has the battery
        if (SocRestoration.Setpoint(Spec, new Percent(soc), Reserve, new Power(committedKw)) is not { } target) return;
        if (running is not null && Math.Abs(running.PowerKw - target.Kw) < 1e-6) return;
        await Issue(target.Kw, RestoreFor, RestoreReason);
    }
}
