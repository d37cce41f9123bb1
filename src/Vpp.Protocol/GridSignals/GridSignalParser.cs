using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Protocol.GridSignals;

public abstract record GridSignal;

public sealed record FrequencySignal(Instant Ts, double Hz) : GridSignal;

/// <summary>Deliver PowerKw in Region over [StartsAt, EndsAt); &gt; 0 = reduce net import / export to the grid.</summary>
public sealed record DispatchRequestSignal(string RequestId, string Region, Instant StartsAt, Instant EndsAt, double PowerKw, int Priority) : GridSignal;

public sealed record OperatingEnvelopeSignal(string SiteId, double ImportLimitKw, double ExportLimitKw, Instant ValidFrom, Instant ValidUntil) : GridSignal;

/// <summary>
/// Parses and validates messages of <c>vpp.grid-signals.v1</c> by their CloudEvents type
/// (docs/kafka-topics.md). Every refusal has a code and a message for the dead-letter topic.
/// </summary>
public static partial class GridSignalParser
{
    public const string FrequencyType = "vpp.grid.frequency.v1";
    public const string DispatchRequestType = "vpp.grid.dispatch-request.v1";
    public const string OperatingEnvelopeType = "vpp.grid.operating-envelope.v1";
    public const int MaxBytes = 16 * 1024;
    public static readonly Duration MaxDispatchLength = Duration.FromHours(24);
    /// <summary>Operating envelopes are issued for the days ahead; one valid for months would be held by its site all that time.</summary>
    public static readonly Duration MaxEnvelopeHorizon = Duration.FromDays(7);

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex IdPattern();

    public sealed record Result(GridSignal? Signal, string? ErrorCode, string? Error)
    {
        public bool Ok => Signal is not null;
    }

    private sealed class Invalid(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    public static Result Parse(string ceType, ReadOnlySpan<byte> json, string? key, Instant now)
    {
        if (json.Length > MaxBytes) return Fail(ProtocolErrors.FrameTooLarge, $"Messages are limited to {MaxBytes} bytes.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return Fail(ProtocolErrors.InvalidJson, "The value is not a single valid JSON object.");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return Fail(ProtocolErrors.InvalidJson, "The value must be a JSON object.");
            try
            {
                return ceType switch
                {
                    FrequencyType => Frequency(doc.RootElement, now),
                    DispatchRequestType => Dispatch(doc.RootElement, key, now),
                    OperatingEnvelopeType => Envelope(doc.RootElement, now),
                    _ => Fail(ProtocolErrors.UnknownType, $"Unknown ce_type '{(ceType.Length > 64 ? ceType[..64] : ceType)}' on the grid-signals topic."),
                };
            }
            catch (Invalid e)
            {
                return Fail(e.Code, e.Message);
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString throws for a string that is not valid UTF-16 (an unpaired surrogate "\ud800"):
                // found by the fuzz tests, it failed the grid-signals consumer on every retry.
                return Fail(ProtocolErrors.InvalidJson, "A string in the message is not valid text (an unpaired surrogate).");
            }
        }
    }

    private static Result Frequency(JsonElement o, Instant now)
    {
        var ts = InstantField(o, "ts");
        if (ts > now + DeviceMessageParser.MaxFutureSkew) throw new Invalid(ProtocolErrors.TimestampInFuture, "ts is more than 5 minutes ahead of server time.");
        var hz = Number(o, "hz");
        if (hz is < 40 or > 70) throw new Invalid(ProtocolErrors.InvalidField, $"hz {hz} is outside 40–70 Hz.");
        return new Result(new FrequencySignal(ts, hz), null, null);
    }

    private static Result Dispatch(JsonElement o, string? key, Instant now)
    {
        var id = Id(o, "requestId");
        var region = Id(o, "region");
        if (key is not null && key != region) throw new Invalid(ProtocolErrors.InvalidField, $"The message key '{key}' must be the region '{region}'.");
        var starts = InstantField(o, "startsAt");
        var ends = InstantField(o, "endsAt");
        if (ends <= starts) throw new Invalid(ProtocolErrors.InvalidField, "endsAt must be after startsAt.");
        if (ends <= now) throw new Invalid(ProtocolErrors.InvalidField, "endsAt is in the past.");
        if (ends - starts > MaxDispatchLength) throw new Invalid(ProtocolErrors.InvalidField, "A dispatch lasts at most 24 hours.");
        var power = Number(o, "powerKw");
        if (power == 0 || Math.Abs(power) > 1_000_000) throw new Invalid(ProtocolErrors.PowerOutOfRange, "powerKw must be non-zero and at most 1 000 000 kW in size.");
        var priority = o.TryGetProperty("priority", out var p) ? p : default;
        if (priority.ValueKind != JsonValueKind.Number || !priority.TryGetInt32(out var prio) || prio is < 0 or > 9)
            throw new Invalid(ProtocolErrors.InvalidField, "Field 'priority' must be an integer 0–9.");
        return new Result(new DispatchRequestSignal(id, region, starts, ends, power, prio), null, null);
    }

    private static Result Envelope(JsonElement o, Instant now)
    {
        var site = Id(o, "siteId");
        var import = Number(o, "importLimitKw");
        var export = Number(o, "exportLimitKw");
        if (import < 0 || export < 0) throw new Invalid(ProtocolErrors.PowerOutOfRange, "importLimitKw and exportLimitKw must be ≥ 0.");
        var from = InstantField(o, "validFrom");
        var until = InstantField(o, "validUntil");
        if (until <= from) throw new Invalid(ProtocolErrors.InvalidField, "validUntil must be after validFrom.");
        if (until <= now) throw new Invalid(ProtocolErrors.InvalidField, "validUntil is in the past.");
        if (until > now + MaxEnvelopeHorizon) throw new Invalid(ProtocolErrors.InvalidField, "validUntil is more than 7 days ahead.");
        return new Result(new OperatingEnvelopeSignal(site, import, export, from, until), null, null);
    }

    private static string Id(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { } s && IdPattern().IsMatch(s)
            ? s
            : throw new Invalid(ProtocolErrors.InvalidField, $"Field '{name}' is required: 1–128 characters from A–Z a–z 0–9 . _ : -.");

    private static double Number(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) throw new Invalid(ProtocolErrors.InvalidField, $"Field '{name}' (number) is required.");
        if (v.ValueKind == JsonValueKind.String && v.GetString() is "NaN" or "Infinity" or "-Infinity")
            throw new Invalid(ProtocolErrors.NonFiniteNumber, $"Field '{name}': NaN and Infinity are not valid numbers.");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new Invalid(ProtocolErrors.InvalidField, $"Field '{name}' must be a finite number.");
        return d;
    }

    private static Instant InstantField(JsonElement o, string name)
    {
        var parsed = o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? InstantPattern.ExtendedIso.Parse(v.GetString()!) : null;
        return parsed is { Success: true } ? parsed.Value
            : throw new Invalid(ProtocolErrors.InvalidField, $"Field '{name}' must be an ISO-8601 UTC instant like 2026-01-31T12:00:00Z.");
    }

    private static Result Fail(string code, string message) => new(null, code, message);
}
