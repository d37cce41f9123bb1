using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using Vpp.Host.Hosting;

namespace Vpp.EndToEnd.Tests;

/// <summary>
/// Reads the API's answers as the API's own types, strictly: a field renamed, missing or null where it
/// may not be fails with the field's name instead of a bare NullReferenceException in the test.
/// </summary>
internal static class ApiViews
{
    public static readonly JsonSerializerOptions Json = Strict(JsonConfig.Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    /// <summary>Required constructor parameters, nullable annotations and no unknown fields, on top of <paramref name="o"/>.</summary>
    public static JsonSerializerOptions Strict(JsonSerializerOptions o)
    {
        o.RespectRequiredConstructorParameters = true;
        o.RespectNullableAnnotations = true;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return o;
    }

    public static async Task<T> GetViewAsync<T>(this HttpClient http, string path) =>
        await http.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"GET {path} answered null");

    /// <summary>The body of an answer (to a POST or PUT, or a problem) as <typeparamref name="T"/>, strictly.</summary>
    public static async Task<T> ReadViewAsync<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Json)
        ?? throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered null");
}

// The timeline and the command history are served from the read models' document classes, whose
// members have defaults: read into these records instead, so a field missing from the answer fails.

/// <summary>One line of GET /api/sites/{siteId}/timeline.</summary>
internal sealed record TimelineEntryView(long Id, string SiteId, string? DeviceId, Instant At, string Type, string Summary);

/// <summary>One line of GET /api/devices/{deviceId}/command-history.</summary>
internal sealed record CommandHistoryEntryView(string Id, string DeviceId, string SiteId, double PowerKw, Instant IssuedAt, Instant ValidUntil,
    string Reason, double MinSocPct, string Outcome, string? OutcomeReason, Instant UpdatedAt);
