using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Vpp.Simulators.Bench;

namespace Vpp.Simulators.Tests;

/// <summary>The frequency benchmark's baseline: the bare fan-out and its driver over real sockets.</summary>
public class FanoutBenchTests
{
    [Fact]
    public async Task Every_device_gets_one_setpoint_frame_per_burst_and_both_sides_are_timed()
    {
        await using var app = await BareFanout.StartAsync(0, CancellationToken.None);
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await FanoutBench.RunAsync(url, devices: 3, events: 2, output, timeout.Token);

        var text = output.ToString();
        text.Should().Contain("bare fan-out: devices 3, events 2");
        text.Should().NotContain("only", "every device received the frame of every burst (as a parsed protocol setpoint)");
        text.Should().MatchRegex(@"written \(server\) +p50 [0-9.]+ ms +p99 [0-9.]+ ms").And.MatchRegex(@"at the devices +p50 [0-9.]+ ms");
    }
}
