namespace Vpp.Protocol;

/// <summary>Error codes sent in <c>error</c> frames. The list is part of the public contract.</summary>
public static class ProtocolErrors
{
    public const string FrameTooLarge = "frame_too_large";
    public const string BinaryNotSupported = "binary_not_supported";
    public const string InvalidJson = "invalid_json";
    public const string NonFiniteNumber = "non_finite_number";
    public const string UnknownType = "unknown_type";
    public const string InvalidField = "invalid_field";
    public const string SocOutOfRange = "soc_out_of_range";
    public const string PowerOutOfRange = "power_out_of_range";
    public const string TimestampInFuture = "timestamp_in_future";
    public const string DeviceIdMismatch = "device_id_mismatch";
    public const string UnknownCommand = "unknown_command";

    public static readonly IReadOnlyList<string> All =
    [
        FrameTooLarge, BinaryNotSupported, InvalidJson, NonFiniteNumber, UnknownType, InvalidField,
        SocOutOfRange, PowerOutOfRange, TimestampInFuture, DeviceIdMismatch, UnknownCommand,
    ];
}

/// <summary>WebSocket close codes the server uses (4000–4999 is the application range).</summary>
public static class ProtocolCloseCodes
{
    /// <summary>1008 policy violation: the client flooded (too many messages or too many bad frames).</summary>
    public const int PolicyViolation = 1008;
    /// <summary>A newer connection for the same device replaced this one.</summary>
    public const int Replaced = 4000;
    /// <summary>The device's token was rotated or revoked; reconnect with the new token.</summary>
    public const int TokenRevoked = 4001;
}

public sealed record ProtocolError(string Code, string Message);
