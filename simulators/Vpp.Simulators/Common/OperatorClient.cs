using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vpp.Simulators.Common;

/// <summary>The few operator REST calls the simulators need (registering homes and devices, committing frequency response).</summary>
public sealed class OperatorClient(HttpClient http, string apiKey)
{
    public async Task RegisterSiteAsync(object site, CancellationToken ct)
    {
        using var req = Request(HttpMethod.Post, "/api/sites", site);
        using var res = await http.SendAsync(req, ct);
        if (res.StatusCode != System.Net.HttpStatusCode.Conflict) await Ensure(res, ct);
    }

    /// <summary>Registers a device and returns its token; on 409 (already registered) rotates to get a fresh one.</summary>
    public async Task<string> RegisterDeviceAsync(string siteId, string deviceId, object device, CancellationToken ct)
    {
        using var req = Request(HttpMethod.Post, $"/api/sites/{siteId}/devices", device);
        using var res = await http.SendAsync(req, ct);
        if (res.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            using var rot = Request(HttpMethod.Post, $"/api/devices/{deviceId}/token", null);
            using var rotated = await http.SendAsync(rot, ct);
            await Ensure(rotated, ct);
            return (await rotated.Content.ReadFromJsonAsync<JsonObject>(ct))!["token"]!.GetValue<string>();
        }
        await Ensure(res, ct);
        return (await res.Content.ReadFromJsonAsync<JsonObject>(ct))!["token"]!.GetValue<string>();
    }

    public Task<JsonObject> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonObject> PostAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonObject> PutAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var req = Request(method, path, body);
        using var res = await http.SendAsync(req, ct);
        await Ensure(res, ct);
        return (await res.Content.ReadFromJsonAsync<JsonObject>(ct))!;
    }

    private HttpRequestMessage Request(HttpMethod method, string path, object? body)
    {
        var req = new HttpRequestMessage(method, path);
        req.Headers.Add("X-Api-Key", apiKey);
        if (body is not null) req.Content = JsonContent.Create(body, options: new JsonSerializerOptions(JsonSerializerDefaults.Web));
        return req;
    }

    private static async Task Ensure(HttpResponseMessage res, CancellationToken ct)
    {
        if (res.IsSuccessStatusCode) return;
        var text = await res.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"{(int)res.StatusCode} {res.ReasonPhrase}: {text}");
    }
}
