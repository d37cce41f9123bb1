using Vpp.Domain.Batteries;
using Vpp.Domain.Units;
using Vpp.Contracts.Registrations;

namespace Vpp.Grains.Devices;

public static class BatteryRatingsExtensions
{
    /// <summary>The registered nameplate as the domain's validated battery spec.</summary>
    public static BatterySpec ToSpec(this BatteryRatings r) =>
        new(new Energy(r.CapacityKwh), new Power(r.MaxChargeKw), new Power(r.MaxDischargeKw), r.RoundTripEfficiency);
}
