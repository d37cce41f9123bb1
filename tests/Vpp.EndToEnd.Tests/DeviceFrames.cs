using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Vpp.Protocol;

namespace Vpp.EndToEnd.Tests;

/// <summary>
/// Reads server → device frames (docs/device-protocol.md) as the protocol's own records, strictly:
/// the <c>type</c> picks the record, and a field missing, renamed or unknown fails with its name.
/// </summary>
internal static class DeviceFrames
{
    private static readonly JsonSerializerOptions Json = new(ApiViews.Json)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Contract } },
        AllowOutOfOrderMetadataProperties = true, // a JSON object's members have no order: "type" need not come first
    };

    public static ServerMessage Read(ReadOnlySpan<byte> frame) =>
        JsonSerializer.Deserialize<ServerMessage>(frame, Json) ?? throw new JsonException("A frame of null.");

    private static void Contract(JsonTypeInfo type)
    {
        if (type.Type == typeof(ServerMessage))
        {
            type.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "type" };
            foreach (var (derived, name) in new[]
                     {
                         (typeof(WelcomeMessage), "welcome"), (typeof(SetpointMessage), "setpoint"),
                         (typeof(FrequencyResponseMessage), "frequency-response"), (typeof(ErrorMessage), "error"),
                     })
                type.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(derived, name));
        }
        // minSocPct is documented as optional in setpoint and frequency-response frames.
        if (type.Type == typeof(SetpointMessage) || type.Type == typeof(FrequencyResponseMessage))
            foreach (var p in type.Properties.Where(p => p.Name == "minSocPct"))
                p.IsRequired = false;
    }
}
