using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Load;
using Vpp.Domain.Sites;
using Vpp.Domain.Solar;
using Vpp.Domain.Units;
using Vpp.Protocol;

namespace Vpp.Simulators.Fleet;

/// <summary>A simulated home's hardware and parameters, derived deterministically from a seed.</summary>
public sealed record HomeSpec(
    string SiteId, string TimeZoneId, GeoLocation Location, double BackupReservePct,
    BatterySpec Battery, Power PvRated, Power MeanLoad, double InitialSocPct)
{
    public static HomeSpec Random(string siteId, string timeZoneId, Random rng) => new(
        siteId, timeZoneId, new GeoLocation(48 + rng.NextDouble() * 6, 6 + rng.NextDouble() * 8), 20,
        new BatterySpec(new Energy(5 + rng.Next(0, 11)), new Power(3 + rng.Next(0, 3)), new Power(3 + rng.Next(0, 3)), 0.90),
        new Power(3 + rng.Next(0, 8)), new Power(0.3 + rng.NextDouble() * 0.3), 30 + rng.NextDouble() * 60);
}

/// <summary>
/// The physics of one home, stepped by the simulator: PV on a clear-sky curve with drifting cloud
/// cover, household load on a daily profile with noise, and a battery that follows its setpoint
/// (within limits, stopping at minSocPct) or else self-consumption, plus local droop on the grid
/// frequency it is fed when it has frequency-response parameters.
/// </summary>
public sealed class HomeModel(HomeSpec spec, Random rng)
{
    private readonly DateTimeZone _zone = DateTimeZoneProviders.Tzdb[spec.TimeZoneId];
    private readonly HouseholdLoadProfile _load = new(spec.MeanLoad);
    private double _cloud = 0.8 + rng.NextDouble() * 0.2;

    public HomeSpec Spec => spec;
    public Percent Soc { get; private set; } = new(spec.InitialSocPct);
    public Power BatteryPower { get; private set; }
    public Power PvPower { get; private set; }
    public Power PvAvailable { get; private set; }
    public Power Load { get; private set; }
    public Power Grid { get; private set; }
    public ActiveSetpoint? Setpoint { get; private set; }
    public ActiveDroop? FrequencyResponse { get; private set; }
    /// <summary>Grid frequency at the home's meter (Hz); the simulator feeds it.</summary>
    public double FrequencyHz { get; set; } = 50;

    public sealed record ActiveDroop(DroopSettings Settings, Instant ValidUntil, Percent? MinSoc);

    public sealed record ActiveSetpoint(string CommandId, Power Power, Instant ValidUntil, Percent? MinSoc);

    /// <summary>Whether the battery can run this setpoint at all (inverter limits).</summary>
    public string? Refuse(SetpointMessage sp) =>
        sp.PowerKw > spec.Battery.MaxDischarge.Kw || sp.PowerKw < -spec.Battery.MaxCharge.Kw
            ? $"powerKw {sp.PowerKw} is beyond this battery's limits" : null;

    public void Apply(SetpointMessage sp) =>
        Setpoint = new ActiveSetpoint(sp.CommandId, new Power(sp.PowerKw), sp.ValidUntil, sp.MinSocPct is { } m ? new Percent(m) : null);

    public void ClearSetpoint() => Setpoint = null;

    public void Apply(FrequencyResponseMessage fr) => FrequencyResponse = fr.CommittedKw <= 0 ? null
        : new ActiveDroop(new DroopSettings(new Power(fr.CommittedKw), fr.NominalHz, fr.DeadbandHz, fr.FullActivationHz), fr.ValidUntil,
            fr.MinSocPct is { } m ? new Percent(m) : null);

    /// <summary>Advances the home by dt ending at now; returns the command id of a setpoint that just ended, if any.</summary>
    public string? Step(Instant now, Duration dt)
    {
        string? finished = null;
        if (Setpoint is { } expired && expired.ValidUntil <= now)
        {
            finished = expired.CommandId;
            Setpoint = null;
        }

        _cloud = Math.Clamp(_cloud + (rng.NextDouble() - 0.5) * 0.04, 0.3, 1.0);
        PvAvailable = ClearSkyPv.Output(spec.PvRated, spec.Location, now) * _cloud;
        PvPower = PvAvailable;
        Load = _load.At(now, _zone) * (0.85 + rng.NextDouble() * 0.3);

        if (FrequencyResponse is { } old && old.ValidUntil <= now) FrequencyResponse = null;
        var floor = Setpoint?.MinSoc ?? FrequencyResponse?.MinSoc ?? new Percent(spec.BackupReservePct);
        var requested = Setpoint?.Power ?? SelfConsumption.Target(Load, PvPower);
        // Local droop adds to whatever runs; the battery physics then enforces limits and the floor.
        if (FrequencyResponse is { } droop) requested += droop.Settings.Response(FrequencyHz);
        var step = BatteryPhysics.Step(spec.Battery, Soc, requested, dt, floor);
        BatteryPower = step.Power;
        Soc = step.Soc;
        Grid = SitePowerBalance.GridFor(Load, PvPower, BatteryPower);
        return finished;
    }
}
