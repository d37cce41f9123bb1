using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Grains.Hosting;
using Vpp.Registry;

namespace Vpp.Grains.Devices;

/// <summary>Twin of a PV inverter: holds output and available power (curtailment comes with grid balancing).</summary>
public sealed class SolarInverterGrain(IRegistry registry, IClock clock, IOptions<TwinOptions> options, TwinMetrics metrics)
    : DeviceGrainBase(registry, clock, options, metrics), ISolarInverterGrain;

/// <summary>Twin of a site meter: holds grid exchange and household load.</summary>
public sealed class MeterGrain(IRegistry registry, IClock clock, IOptions<TwinOptions> options, TwinMetrics metrics)
    : DeviceGrainBase(registry, clock, options, metrics), IMeterGrain;
