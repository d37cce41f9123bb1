using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Vpp.Simulators.Shared;

namespace Vpp.Simulators.Bench;

/// <summary>
/// Dashboard load: N homeowners (one account per home of a running fleet) signed in and watching
/// their own site over the live hub, as the page does. For every push that shows a newer reading
/// it records the delay from the reading's own ts (the device's clock, this machine) to arrival
/// here. With --host-pid it also reports the host's CPU over the measured window.
/// </summary>
public static class DashboardBench
{
    public sealed record Options(Uri Url, string ApiKey, int Viewers, string Prefix, TimeSpan Measure, int? HostPid);

    private const string Password = "bench-viewer-password";

    public static async Task RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = o.Url };
        var viewers = new List<HubConnection>();
        var delaysMs = new ConcurrentBag<double>();
        long messages = 0;
        var measuring = false;
        var connect = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(16);
        var tasks = Enumerable.Range(0, o.Viewers).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var hub = await ViewerAsync(http, o, i, ct);
                DateTimeOffset newest = default;
                hub.On<JsonElement>("SiteState", state =>
                {
                    var arrived = DateTimeOffset.UtcNow;
                    var ts = Newest(state);
                    if (ts <= newest) return;
                    newest = ts;
                    if (!Volatile.Read(ref measuring)) return;
                    Interlocked.Increment(ref messages);
                    delaysMs.Add((arrived - ts).TotalMilliseconds);
                });
                await hub.InvokeAsync<JsonElement>("JoinSite", SiteId(o, i), ct);
                lock (viewers) viewers.Add(hub);
            }
            finally { gate.Release(); }
        }).ToList();
        await Task.WhenAll(tasks);
        output.WriteLine($"{viewers.Count} viewers signed in and watching their own site in {connect.Elapsed.TotalSeconds:0.0} s; measuring {o.Measure.TotalSeconds:0} s …");

        await Task.Delay(TimeSpan.FromSeconds(3), ct); // settle: every site has published once
        var cpuBefore = HostCpuSeconds(o.HostPid);
        var window = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(o.Measure, ct);
        Volatile.Write(ref measuring, false);
        var seconds = window.Elapsed.TotalSeconds;
        var cpuAfter = HostCpuSeconds(o.HostPid);

        var d = delaysMs.ToList();
        output.WriteLine($"viewers                         {viewers.Count}");
        output.WriteLine($"updates with a newer reading     {messages} ({messages / seconds:0.0}/s)");
        if (d.Count > 0)
            output.WriteLine($"reading ts → viewer (ms)         p50 {Percentile.Of(d, 50):0} | p99 {Percentile.Of(d, 99):0} | max {d.Max():0}");
        if (cpuBefore is { } b && cpuAfter is { } a)
            output.WriteLine($"host CPU                         {(a - b) / seconds:0.00} cores over {seconds:0} s");
        foreach (var hub in viewers) await hub.DisposeAsync();
    }

    private static string SiteId(Options o, int i) => $"{o.Prefix}-{i:D5}";

    private static async Task<HubConnection> ViewerAsync(HttpClient http, Options o, int i, CancellationToken ct)
    {
        var user = $"viewer-{i:D5}";
        using (var create = new HttpRequestMessage(HttpMethod.Post, $"/api/sites/{SiteId(o, i)}/homeowners"))
        {
            create.Headers.Add("X-Api-Key", o.ApiKey);
            create.Content = JsonContent.Create(new { username = user, password = Password });
            using var res = await http.SendAsync(create, ct);
            if (!res.IsSuccessStatusCode && res.StatusCode != HttpStatusCode.Conflict)
                throw new HttpRequestException($"creating {user}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync(ct)}");
        }
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = o.Url })
        using (var res = await browser.PostAsJsonAsync("/auth/login", new { username = user, password = Password }, ct))
            if (!res.IsSuccessStatusCode) throw new HttpRequestException($"signing in {user}: {(int)res.StatusCode}");
        var hub = new HubConnectionBuilder().WithUrl(new Uri(o.Url, "/hubs/live"), c => c.Cookies = cookies).Build();
        await hub.StartAsync(ct);
        return hub;
    }

    private static DateTimeOffset Newest(JsonElement state)
    {
        var newest = DateTimeOffset.MinValue;
        foreach (var d in state.GetProperty("devices").EnumerateArray())
            if (d.TryGetProperty("readingTs", out var ts) && ts.ValueKind == JsonValueKind.String && DateTimeOffset.Parse(ts.GetString()!) is var t && t > newest)
                newest = t;
        return newest;
    }

    /// <summary>utime + stime of the process from /proc (Linux), in seconds.</summary>
    private static double? HostCpuSeconds(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat")) return null;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // fields 14 and 15 of stat; USER_HZ = 100
    }
}
