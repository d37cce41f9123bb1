using Vpp.Protocol;

namespace Vpp.Contracts.Serialization;

// The wire protocol assembly stays free of Orleans; its enums cross silos through these surrogates.

[GenerateSerializer, Alias("vpp.DeviceKind")]
public struct DeviceKindSurrogate
{
    [Id(0)] public int Value;
}

[RegisterConverter]
public sealed class DeviceKindSurrogateConverter : IConverter<DeviceKind, DeviceKindSurrogate>
{
    public DeviceKind ConvertFromSurrogate(in DeviceKindSurrogate s) => (DeviceKind)s.Value;
    public DeviceKindSurrogate ConvertToSurrogate(in DeviceKind value) => new() { Value = (int)value };
}

[GenerateSerializer, Alias("vpp.AckStatus")]
public struct AckStatusSurrogate
{
    [Id(0)] public int Value;
}

[RegisterConverter]
public sealed class AckStatusSurrogateConverter : IConverter<AckStatus, AckStatusSurrogate>
{
    public AckStatus ConvertFromSurrogate(in AckStatusSurrogate s) => (AckStatus)s.Value;
    public AckStatusSurrogate ConvertToSurrogate(in AckStatus value) => new() { Value = (int)value };
}
