using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Vpp.Persistence.EventStore;

/// <summary>JSON for events, snapshots and documents: NodaTime as ISO strings, enums by name.</summary>
public static class SnapshotJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }
}
