using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;

namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>
/// The published host as a separate OS process (dotnet Vpp.Host.dll), for restart tests: a new
/// process on the same database is the honest check that nothing lived only in memory.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public Uri DeviceEndpoint => new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/devices/v1/ws" }.Uri;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The standard ways to give an ASP.NET Core host its address.</summary>
    public enum AddressVia { UrlsArgument, UrlsVariable, HttpPortsVariable }

    /// <summary>Starts the host; a port taken between choosing and binding it gets a second try with new ports.</summary>
    public static Task<HostProcess> StartAsync(string connectionString, params (string Key, string Value)[] settings) =>
        StartAsync(connectionString, AddressVia.UrlsArgument, settings);

    public static async Task<HostProcess> StartAsync(string connectionString, AddressVia via, params (string Key, string Value)[] settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(connectionString, via, settings);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("Address already in use"))
            {
            }
        }
    }

    private static async Task<HostProcess> StartOnceAsync(string connectionString, AddressVia via, (string Key, string Value)[] settings)
    {
        var dir = AppContext.BaseDirectory;
        var port = VppHost.FreePort();
        string[] address = via == AddressVia.UrlsArgument ? ["--urls", $"http://127.0.0.1:{port}"] : [];
        var info = new ProcessStartInfo("dotnet", [Path.Combine(dir, "Vpp.Host.dll"), .. address, "--contentRoot", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        // Only the address this test gives: none inherited from the runner's environment.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" }) info.Environment.Remove(inherited);
        if (via == AddressVia.UrlsVariable) info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        if (via == AddressVia.HttpPortsVariable) info.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString();
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["Vpp__OperatorApiKey"] = VppHost.ApiKey;
        info.Environment["Vpp__Orleans__SiloPort"] = VppHost.FreePort().ToString();
        info.Environment["Vpp__Orleans__GatewayPort"] = VppHost.FreePort().ToString();
        info.Environment["Vpp__Orleans__ClusterId"] = "proc-" + Guid.NewGuid().ToString("N");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Kafka__EmbeddedPort"] = "0";
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;

        var process = Process.Start(info)!;
        var host = new HostProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) throw new InvalidOperationException($"The host exited with {process.ExitCode}:\n{host.Output}");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return host;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        await host.DisposeAsync();
        throw new TimeoutException("The host did not answer /health within 90 s:\n" + host.Output);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", VppHost.ApiKey);
        return http;
    }

    /// <summary>Hard stop (SIGKILL): no graceful shutdown, nothing gets flushed on the way out.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
