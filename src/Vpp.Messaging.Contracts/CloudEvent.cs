using System.Text;
using Vpp.Protocol;
using Confluent.Kafka;
using NodaTime;
using NodaTime.Text;

namespace Vpp.Messaging.Contracts;

/// <summary>CloudEvents 1.0 attributes as carried in Kafka binary mode (ce_* headers, JSON value).</summary>
public sealed record CloudEvent(string Id, string Type, string Source, Instant Time, string? Subject = null)
{
    public const string SpecVersion = "1.0";
    public const string ContentType = "application/json";

    public Headers ToHeaders(Headers? extra = null)
    {
        var h = new Headers
        {
            { "ce_specversion", Encoding.UTF8.GetBytes(SpecVersion) },
            { "ce_id", Encoding.UTF8.GetBytes(Id) },
            { "ce_type", Encoding.UTF8.GetBytes(Type) },
            { "ce_source", Encoding.UTF8.GetBytes(Source) },
            { "ce_time", Encoding.UTF8.GetBytes(InstantPattern.ExtendedIso.Format(Time)) },
            { "content-type", Encoding.UTF8.GetBytes(ContentType) },
        };
        if (Subject is not null) h.Add("ce_subject", Encoding.UTF8.GetBytes(Subject));
        if (extra is not null) foreach (var x in extra) h.Add(x.Key, x.GetValueBytes());
        return h;
    }

    /// <summary>Reads the attributes, or says which one is missing or malformed.</summary>
    public static (CloudEvent? Event, string? Error) FromHeaders(Headers? headers)
    {
        // Read per message on the consumers' hot path: compare and parse the bytes, allocate only the strings kept.
        ReadOnlySpan<byte> Bytes(string key) => headers is not null && headers.TryGetLastBytes(key, out var b) && b is not null ? b : default;
        string? Get(string key) => headers is not null && headers.TryGetLastBytes(key, out var b) && b is not null ? Encoding.UTF8.GetString(b) : null;

        if (!Bytes("ce_specversion").SequenceEqual("1.0"u8)) return (null, "header ce_specversion must be 1.0");
        if (Get("ce_id") is not { Length: > 0 and <= 256 } id) return (null, "header ce_id is required (1–256 characters)");
        if (Get("ce_type") is not { Length: > 0 } type) return (null, "header ce_type is required");
        if (Get("ce_source") is not { Length: > 0 } source) return (null, "header ce_source is required");
        if (!IsoInstant.TryParse(Bytes("ce_time"), out var time)) return (null, "header ce_time must be an ISO-8601 UTC instant");
        var contentType = Bytes("content-type");
        if (headers is not null && headers.TryGetLastBytes("content-type", out _)
            && !(contentType.Length >= ContentTypeUtf8.Length && Ascii.EqualsIgnoreCase(contentType[..ContentTypeUtf8.Length], ContentTypeUtf8)))
            return (null, "content-type must be application/json");
        return (new CloudEvent(id, type, source, time, Get("ce_subject")), null);
    }

    private static ReadOnlySpan<byte> ContentTypeUtf8 => "application/json"u8;
}
