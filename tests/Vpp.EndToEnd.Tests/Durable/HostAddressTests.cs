namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>
/// The host listens where it is told by each standard way: the container image sets ASPNETCORE_URLS,
/// a platform may set ASPNETCORE_HTTP_PORTS, a person passes --urls. A default in appsettings.json
/// used to win over the environment variables, so the container listened on localhost:5080 and
/// compose's port mapping, health check and simulator could not reach it.
/// </summary>
public sealed class HostAddressTests
{
    [Theory]
    [InlineData(HostProcess.AddressVia.UrlsArgument)]
    [InlineData(HostProcess.AddressVia.UrlsVariable)]
    [InlineData(HostProcess.AddressVia.HttpPortsVariable)]
    public async Task The_host_answers_on_the_address_it_was_given(HostProcess.AddressVia via)
    {
        // In memory (no connection string): only the address is under test. StartAsync waits for /health on the given port.
        await using var host = await HostProcess.StartAsync("", via);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        (await http.GetAsync("/health")).IsSuccessStatusCode.Should().BeTrue();
    }
}
