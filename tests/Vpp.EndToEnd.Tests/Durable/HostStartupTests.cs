namespace Vpp.EndToEnd.Tests.Durable;

/// <summary>A host configured with a guessable operator key does not start (it would run exposed).</summary>
public sealed class HostStartupTests
{
    [Fact]
    public async Task A_host_with_a_short_operator_key_stops_at_start_up_naming_the_setting()
    {
        var start = () => HostProcess.StartAsync("", ("Vpp:OperatorApiKey", "change-me"));
        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Contain("Vpp:OperatorApiKey").And.Contain("at least 16 characters");
    }
}
