namespace Vpp.Protocol;

public enum DeviceKind
{
    Battery,
    Solar,
    Meter,
}
