using Vpp.Contracts.Devices;

namespace Vpp.Grains.Devices;

/// <summary>PV inverter twin: telemetry only (curtailment arrives with grid balancing).</summary>
public sealed class SolarInverterGrain(DeviceTwinServices services) : DeviceGrainBase(services), ISolarInverterGrain;

/// <summary>Grid-connection meter twin: telemetry only.</summary>
public sealed class MeterGrain(DeviceTwinServices services) : DeviceGrainBase(services), IMeterGrain;
