using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vpp.Host.Hosting;

namespace Vpp.EndToEnd.Tests;

/// <summary>
/// Reads the API's answers as the API's own types, strictly: a field renamed, missing or null where it
/// may not be fails with the field's name instead of a bare NullReferenceException in the test.
/// </summary>
internal static class ApiViews
{
    public static readonly JsonSerializerOptions Json = JsonConfig.Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    });

    public static async Task<T> GetViewAsync<T>(this HttpClient http, string path) =>
        await http.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"GET {path} answered null");
}
