namespace Vpp.Host.Hosting;

/// <summary>
/// Where the host listens when nobody said: http://localhost:5080 for a developer's machine. Only then:
/// a default written into appsettings.json would win over ASPNETCORE_URLS and ASPNETCORE_HTTP_PORTS,
/// and a container (which sets them) would listen on its own loopback, unreachable.
/// </summary>
public static class HostAddress
{
    public const string Default = "http://localhost:5080";

    /// <summary>No address given the standard ways: --urls / ASPNETCORE_URLS, ASPNETCORE_HTTP(S)_PORTS, Kestrel:Endpoints.</summary>
    public static bool NoneGiven(IConfiguration configuration) =>
        new[] { "urls", "http_ports", "https_ports" }.All(key => string.IsNullOrWhiteSpace(configuration[key]))
        && !configuration.GetSection("Kestrel:Endpoints").Exists();
}
