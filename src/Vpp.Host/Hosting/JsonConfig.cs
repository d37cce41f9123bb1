using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Vpp.Host.Hosting;

public static class JsonConfig
{
    /// <summary>
    /// One JSON configuration for HTTP and SignalR: camelCase, enums as camelCase strings, NodaTime
    /// as ISO-8601 (without it System.Text.Json writes Instant as {} and reads 1970, silently).
    /// </summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return o;
    }
}
