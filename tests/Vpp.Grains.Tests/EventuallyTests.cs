using Vpp.Tests.Shared;

namespace Vpp.Grains.Tests;

/// <summary>The suite's one wait: it must fail a test whose condition never holds, saying what it waited for and saw.</summary>
public class EventuallyTests
{
    [Fact]
    public async Task A_condition_that_never_holds_fails_with_the_expectation_and_the_last_value()
    {
        var reads = 0;
        var wait = () => Eventually.Until(() => Task.FromResult(++reads), v => v < 0, timeoutMs: 300);

        var failure = (await wait.Should().ThrowAsync<EventuallyTimeoutException>()).Which;
        failure.Message.Should().Contain("v => v < 0").And.Contain($"last value: {reads}");
        reads.Should().BeGreaterThan(1, "it polled until the timeout");
    }

    [Fact]
    public async Task A_read_that_keeps_throwing_fails_with_its_error_and_a_read_that_recovers_passes()
    {
        var failing = () => Eventually.Until<int>(() => throw new InvalidOperationException("404 not yet"), v => v > 0, timeoutMs: 200);
        (await failing.Should().ThrowAsync<EventuallyTimeoutException>()).Which.Message.Should().Contain("(no value read)").And.Contain("404 not yet");

        var calls = 0;
        (await Eventually.Until(() => ++calls < 3 ? throw new InvalidOperationException("not yet") : Task.FromResult(calls), v => v == 3)).Should().Be(3);
    }

    [Fact]
    public async Task Lists_and_booleans_are_described_in_the_failure()
    {
        var list = () => Eventually.Value(() => new[] { 1.5, 2.5 }, kws => kws.All(k => k > 3), timeoutMs: 100);
        (await list.Should().ThrowAsync<EventuallyTimeoutException>()).Which.Message.Should().Contain("[1.5, 2.5]");

        var flag = () => Eventually.True(() => 1 + 1 == 3, timeoutMs: 100);
        (await flag.Should().ThrowAsync<EventuallyTimeoutException>()).Which.Message.Should().Contain("1 + 1 == 3");
    }
}
