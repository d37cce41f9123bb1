using System.Buffers;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Protocol;

/// <summary>
/// Parses and validates one device → server frame. Hand-written over <see cref="Utf8JsonReader"/>
/// so every rejection gets a precise, documented code and the hot path allocates little.
/// Unknown fields are ignored (forward compatibility); known fields must have the right type.
/// </summary>
public static class DeviceMessageParser
{
    public const int MaxFrameBytes = 16 * 1024;
    public const int MaxIdLength = 128;
    /// <summary>Readings stamped further ahead of the server clock than this are refused (clock skew guard).</summary>
    public static readonly Duration MaxFutureSkew = Duration.FromMinutes(5);

    public static ParseResult Parse(ReadOnlySpan<byte> utf8, DeviceProfile device, Instant now)
    {
        if (utf8.Length > MaxFrameBytes)
            return Fail(ProtocolErrors.FrameTooLarge, $"Frames are limited to {MaxFrameBytes} bytes.");

        Fields f;
        try
        {
            f = ReadFields(utf8);
        }
        catch (FieldError e)
        {
            return Fail(e.Code, e.Message);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString throws for a string that is not valid UTF-16 (an unpaired surrogate "\ud800").
            return Fail(ProtocolErrors.InvalidJson, "A string in the frame is not valid text (an unpaired surrogate).");
        }
        catch (JsonException)
        {
            return LooksNonFinite(utf8)
                ? Fail(ProtocolErrors.NonFiniteNumber, "NaN and Infinity are not valid numbers.")
                : Fail(ProtocolErrors.InvalidJson, "The frame is not a single valid JSON object.");
        }

        return f.Type switch
        {
            null => Fail(ProtocolErrors.InvalidField, "Field 'type' (string) is required."),
            "telemetry" => Telemetry(f, device, now),
            "hello" => Hello(f, device),
            "ack" => Ack(f),
            _ => Fail(ProtocolErrors.UnknownType, $"Unknown message type '{Truncate(f.Type)}'."),
        };
    }

    private static ParseResult Telemetry(Fields f, DeviceProfile device, Instant now)
    {
        if (f.Seq is not { } seq) return Missing("seq", "a non-negative integer");
        if (f.Ts is not { } ts) return Missing("ts", "an ISO-8601 UTC instant");
        if (ts > now + MaxFutureSkew)
            return Fail(ProtocolErrors.TimestampInFuture, $"ts {InstantPattern.ExtendedIso.Format(ts)} is more than {MaxFutureSkew.TotalMinutes} minutes ahead of server time.");

        double power = 0;
        switch (device.Kind)
        {
            case DeviceKind.Battery:
                if (f.PowerKw is not { } bp) return Missing("powerKw", "a number");
                if (f.SocPct is not { } soc) return Missing("socPct", "a number (battery)");
                if (soc is < 0 or > 100) return Fail(ProtocolErrors.SocOutOfRange, $"socPct {soc} is outside 0–100.");
                if (PowerTooLarge(bp, device)) return PowerOut("powerKw", bp, device);
                power = bp;
                break;
            case DeviceKind.Solar:
                if (f.PowerKw is not { } sp) return Missing("powerKw", "a number");
                if (f.AvailableKw is not { } avail) return Missing("availableKw", "a number (solar)");
                if (PowerTooLarge(sp, device)) return PowerOut("powerKw", sp, device);
                if (avail < 0 || PowerTooLarge(avail, device)) return PowerOut("availableKw", avail, device);
                power = sp;
                break;
            case DeviceKind.Meter:
                if (f.GridKw is null) return Missing("gridKw", "a number (meter)");
                if (f.LoadKw is not { } load) return Missing("loadKw", "a number (meter)");
                if (load < 0) return Fail(ProtocolErrors.PowerOutOfRange, "loadKw cannot be negative.");
                if (PowerTooLarge(f.GridKw.Value, device)) return PowerOut("gridKw", f.GridKw.Value, device);
                if (PowerTooLarge(load, device)) return PowerOut("loadKw", load, device);
                if (f.PowerKw is { } mp && PowerTooLarge(mp, device)) return PowerOut("powerKw", mp, device);
                power = f.PowerKw ?? 0;
                break;
        }

        return Ok(new TelemetryMessage(seq, ts, power, f.SocPct, f.AvailableKw, f.GridKw, f.LoadKw));
    }

    private static ParseResult Hello(Fields f, DeviceProfile device)
    {
        if (f.DeviceId is not { } id) return Missing("deviceId", "a string");
        if (!string.Equals(id, device.DeviceId, StringComparison.Ordinal))
            return Fail(ProtocolErrors.DeviceIdMismatch, "deviceId does not match the device this token was issued to.");
        return Ok(new HelloMessage(id, f.Firmware));
    }

    /// <summary>An ack's reason is cut to this many characters.</summary>
    public const int MaxReasonLength = 256;

    private static ParseResult Ack(Fields f)
    {
        if (f.CommandId is not { } cid) return Missing("commandId", "a string");
        if (f.Status is not { } statusText) return Missing("status", "accepted | rejected | completed");
        AckStatus status = statusText switch
        {
            "accepted" => AckStatus.Accepted,
            "rejected" => AckStatus.Rejected,
            "completed" => AckStatus.Completed,
            _ => (AckStatus)(-1),
        };
        if ((int)status < 0) return Fail(ProtocolErrors.InvalidField, "status must be accepted | rejected | completed.");
        // Free text that reaches the command history and the dashboards: kept, but bounded.
        var reason = f.Reason is { Length: > MaxReasonLength } text ? text[..MaxReasonLength] : f.Reason;
        return Ok(new AckMessage(cid, status, reason));
    }

    private static bool PowerTooLarge(double kw, DeviceProfile device) =>
        device.MaxPlausibleKw > 0 && Math.Abs(kw) > device.MaxPlausibleKw;

    private static ParseResult PowerOut(string field, double kw, DeviceProfile device) =>
        Fail(ProtocolErrors.PowerOutOfRange, $"{field} {kw.ToString(System.Globalization.CultureInfo.InvariantCulture)} is beyond {DeviceProfile.RatingTolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)} × the device rating ({device.EffectiveRatingKw.ToString(System.Globalization.CultureInfo.InvariantCulture)} kW).");

    private static ParseResult Missing(string field, string what) =>
        Fail(ProtocolErrors.InvalidField, $"Field '{field}' ({what}) is required.");

    private static ParseResult Ok(DeviceMessage m) => new(m, null);
    private static ParseResult Fail(string code, string message) => new(null, new ProtocolError(code, message));

    /// <summary>At most 40 characters, never cutting a surrogate pair in two.</summary>
    private static string Truncate(string s) => s.Length <= 40 ? s : s[..(char.IsHighSurrogate(s[39]) ? 39 : 40)] + "…";

    private static bool LooksNonFinite(ReadOnlySpan<byte> utf8) =>
        utf8.IndexOf("NaN"u8) >= 0 || utf8.IndexOf("Infinity"u8) >= 0;

    private sealed class FieldError(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private struct Fields
    {
        public string? Type, DeviceId, Firmware, CommandId, Status, Reason;
        public long? Seq;
        public Instant? Ts;
        public double? PowerKw, SocPct, AvailableKw, GridKw, LoadKw;
    }

    private static Fields ReadFields(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("not an object");

        var f = new Fields();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                if (reader.Read()) throw new JsonException("trailing content");
                return f;
            }
            if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("expected a property");

            if (reader.ValueTextEquals("type"u8)) f.Type = Type(ref reader);
            else if (reader.ValueTextEquals("seq"u8)) f.Seq = Seq(ref reader);
            else if (reader.ValueTextEquals("ts"u8)) f.Ts = Time(ref reader, "ts");
            else if (reader.ValueTextEquals("powerKw"u8)) f.PowerKw = Number(ref reader, "powerKw");
            else if (reader.ValueTextEquals("socPct"u8)) f.SocPct = Number(ref reader, "socPct");
            else if (reader.ValueTextEquals("availableKw"u8)) f.AvailableKw = Number(ref reader, "availableKw");
            else if (reader.ValueTextEquals("gridKw"u8)) f.GridKw = Number(ref reader, "gridKw");
            else if (reader.ValueTextEquals("loadKw"u8)) f.LoadKw = Number(ref reader, "loadKw");
            else if (reader.ValueTextEquals("deviceId"u8)) f.DeviceId = String(ref reader, "deviceId");
            else if (reader.ValueTextEquals("firmware"u8)) f.Firmware = String(ref reader, "firmware");
            else if (reader.ValueTextEquals("commandId"u8)) f.CommandId = String(ref reader, "commandId");
            else if (reader.ValueTextEquals("status"u8)) f.Status = String(ref reader, "status");
            else if (reader.ValueTextEquals("reason"u8)) f.Reason = String(ref reader, "reason", allowNull: true);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        throw new JsonException("unterminated object");
    }

    /// <summary>The known types without allocating a string per frame; any other string as read.</summary>
    private static string? Type(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
        {
            if (r.ValueTextEquals("telemetry"u8)) return "telemetry";
            if (r.ValueTextEquals("ack"u8)) return "ack";
            if (r.ValueTextEquals("hello"u8)) return "hello";
        }
        return StringValue(ref r, "type");
    }

    private static string? String(ref Utf8JsonReader r, string name, bool allowNull = false)
    {
        r.Read();
        return StringValue(ref r, name, allowNull);
    }

    private static string? StringValue(ref Utf8JsonReader r, string name, bool allowNull = false)
    {
        if (allowNull && r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.String) throw new FieldError(ProtocolErrors.InvalidField, $"Field '{name}' must be a string.");
        var s = r.GetString()!;
        if (name != "reason" && s.Length > MaxIdLength)
            throw new FieldError(ProtocolErrors.InvalidField, $"Field '{name}' is longer than {MaxIdLength} characters.");
        return s;
    }

    private static double Number(ref Utf8JsonReader r, string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
        {
            var s = r.GetString();
            if (s is "NaN" or "Infinity" or "-Infinity")
                throw new FieldError(ProtocolErrors.NonFiniteNumber, $"Field '{name}' must be a finite number, not {s}.");
        }
        if (r.TokenType != JsonTokenType.Number || !r.TryGetDouble(out var d))
            throw new FieldError(ProtocolErrors.InvalidField, $"Field '{name}' must be a number.");
        if (!double.IsFinite(d))
            throw new FieldError(ProtocolErrors.NonFiniteNumber, $"Field '{name}' must be a finite number.");
        return d;
    }

    private static long Seq(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var v) || v < 0)
            throw new FieldError(ProtocolErrors.InvalidField, "Field 'seq' must be a non-negative integer.");
        return v;
    }

    private static Instant Time(ref Utf8JsonReader r, string name)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.String)
            throw new FieldError(ProtocolErrors.InvalidField, $"Field '{name}' must be an ISO-8601 UTC string.");
        // An escaped string (\u0032…) is unescaped first; the usual one is read in place.
        var ok = r.ValueIsEscaped ? IsoInstant.TryParse(Encoding.UTF8.GetBytes(r.GetString()!), out var ts) : IsoInstant.TryParse(r.ValueSpan, out ts);
        if (!ok)
            throw new FieldError(ProtocolErrors.InvalidField, $"Field '{name}' must be an ISO-8601 UTC instant like 2026-01-31T12:00:00Z.");
        return ts;
    }
}

public readonly record struct ParseResult(DeviceMessage? Message, ProtocolError? Error)
{
    public bool IsOk => Error is null;
}
