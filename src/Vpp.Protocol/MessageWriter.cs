using System.Buffers;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Protocol;

/// <summary>Writes protocol messages (both directions) as compact UTF-8 JSON frames.</summary>
public static class MessageWriter
{
    public static byte[] Write(ServerMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            switch (message)
            {
                case WelcomeMessage m:
                    w.WriteString("type", "welcome");
                    w.WriteString("serverTime", Iso(m.ServerTime));
                    w.WriteNumber("telemetryIntervalMs", m.TelemetryIntervalMs);
                    w.WriteNumber("lastSeq", m.LastSeq);
                    break;
                case SetpointMessage m:
                    w.WriteString("type", "setpoint");
                    w.WriteString("commandId", m.CommandId);
                    w.WriteNumber("powerKw", m.PowerKw);
                    w.WriteString("validUntil", Iso(m.ValidUntil));
                    w.WriteString("reason", ProtocolText.Valid(m.Reason));
                    if (m.MinSocPct is { } min) w.WriteNumber("minSocPct", min);
                    break;
                case FrequencyResponseMessage m:
                    w.WriteString("type", "frequency-response");
                    w.WriteString("commandId", m.CommandId);
                    w.WriteNumber("committedKw", m.CommittedKw);
                    w.WriteNumber("nominalHz", m.NominalHz);
                    w.WriteNumber("deadbandHz", m.DeadbandHz);
                    w.WriteNumber("fullActivationHz", m.FullActivationHz);
                    w.WriteString("validUntil", Iso(m.ValidUntil));
                    if (m.MinSocPct is { } floor) w.WriteNumber("minSocPct", floor);
                    break;
                case ErrorMessage m:
                    w.WriteString("type", "error");
                    w.WriteString("code", m.Code);
                    w.WriteString("message", ProtocolText.Valid(m.Message));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Unknown server message.");
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Write(DeviceMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            switch (message)
            {
                case HelloMessage m:
                    w.WriteString("type", "hello");
                    w.WriteString("deviceId", m.DeviceId);
                    if (m.Firmware is not null) w.WriteString("firmware", m.Firmware);
                    break;
                case TelemetryMessage m:
                    w.WriteString("type", "telemetry");
                    w.WriteNumber("seq", m.Seq);
                    w.WriteString("ts", Iso(m.Ts));
                    w.WriteNumber("powerKw", Math.Round(m.PowerKw, 4));
                    if (m.SocPct is { } soc) w.WriteNumber("socPct", Math.Round(soc, 3));
                    if (m.AvailableKw is { } a) w.WriteNumber("availableKw", Math.Round(a, 4));
                    if (m.GridKw is { } g) w.WriteNumber("gridKw", Math.Round(g, 4));
                    if (m.LoadKw is { } l) w.WriteNumber("loadKw", Math.Round(l, 4));
                    break;
                case AckMessage m:
                    w.WriteString("type", "ack");
                    w.WriteString("commandId", m.CommandId);
                    w.WriteString("status", m.Status.ToString().ToLowerInvariant());
                    if (m.Reason is not null) w.WriteString("reason", m.Reason);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Unknown device message.");
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
}

/// <summary>Parses server → device frames; used by device implementations such as the simulator.</summary>
public static class ServerMessageParser
{
    public static ServerMessage? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            var type = root.GetProperty("type").GetString();
            return type switch
            {
                "welcome" => new WelcomeMessage(Instant(root, "serverTime"), root.GetProperty("telemetryIntervalMs").GetInt32(),
                    root.TryGetProperty("lastSeq", out var ls) ? ls.GetInt64() : 0),
                "setpoint" => new SetpointMessage(root.GetProperty("commandId").GetString()!, root.GetProperty("powerKw").GetDouble(),
                    Instant(root, "validUntil"), root.GetProperty("reason").GetString() ?? "",
                    root.TryGetProperty("minSocPct", out var ms) ? ms.GetDouble() : null),
                "frequency-response" => new FrequencyResponseMessage(root.GetProperty("commandId").GetString()!,
                    root.GetProperty("committedKw").GetDouble(), root.GetProperty("nominalHz").GetDouble(), root.GetProperty("deadbandHz").GetDouble(),
                    root.GetProperty("fullActivationHz").GetDouble(), Instant(root, "validUntil"),
                    root.TryGetProperty("minSocPct", out var fm) ? fm.GetDouble() : null),
                "error" => new ErrorMessage(root.GetProperty("code").GetString()!, root.GetProperty("message").GetString() ?? ""),
                _ => null,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static Instant Instant(JsonElement e, string name) =>
        InstantPattern.ExtendedIso.Parse(e.GetProperty(name).GetString()!).GetValueOrThrow();
}

internal static class ProtocolText
{
    /// <summary>
    /// Text that quotes what a device sent may hold an unpaired surrogate, which the JSON writer refuses
    /// (it ended the connection, found by the fuzz tests): each becomes U+FFFD.
    /// </summary>
    public static string Valid(string text)
    {
        if (!text.Any(char.IsSurrogate)) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }
}
