using Vpp.Domain.Units;

namespace Vpp.Domain.Batteries;

/// <summary>
/// The default behaviour of a home battery with no active setpoint: cover the home's deficit
/// and soak up its PV surplus, so grid exchange tends to zero. Physics (limits, reserve,
/// efficiency) is applied afterwards by <see cref="BatteryPhysics.Step"/>.
/// </summary>
public static class SelfConsumption
{
    /// <summary>Battery power that would bring the grid exchange to zero (+ discharge to cover load, − charge from surplus).</summary>
    public static Power Target(Power load, Power pv) => load - pv;
}
