using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Tests;

/// <summary>
/// Orleans refuses a grain timer due more than about 49.7 days ahead. A dispatch grain sets its timer
/// on activation for its start, so one stored with a start that far away could never activate again.
/// </summary>
public class DispatchHorizonGrainTests(TwinCluster twins) : IClassFixture<TwinCluster>
{
    private Instant Now => twins.Clock.GetCurrentInstant();

    [Fact]
    public async Task A_request_starting_beyond_the_horizon_is_rejected_with_the_reason()
    {
        var starts = Now + Duration.FromDays(60);
        var grain = twins.Client.GetGrain<IDispatchGrain>("hz-far");
        await grain.Request(new DispatchRequest("hz-far", "hz", starts, starts + Duration.FromHours(1), 5, 1), "test:1");

        var view = (await grain.GetView())!;
        view.Status.Should().Be(DispatchStatus.Rejected);
        view.Reason.Should().Be("it starts more than 7 days ahead");
    }

    [Fact]
    public async Task A_dispatch_stored_with_a_start_sixty_days_ahead_still_activates()
    {
        // Recorded before the horizon existed: accepted, starting in 60 days.
        var starts = Now + Duration.FromDays(60);
        await twins.Events.AppendAsync(StreamKeys.Dispatch("hz-stored"), 0,
        [
            new DispatchRequested("hz-stored", "hz", starts, starts + Duration.FromHours(1), 5, 1, "test:2", Now),
            new DispatchAccepted("hz-stored", 5, null, Now),
        ]);

        var view = await twins.Client.GetGrain<IDispatchGrain>("hz-stored").GetView();

        view!.Status.Should().Be(DispatchStatus.Accepted);
        view.Request.StartsAt.Should().Be(starts);
    }

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(0, 0)]
    [InlineData(30, 30)]
    [InlineData(3600, 3600)]
    [InlineData(3601, 3600)]
    [InlineData(60 * 86_400, 3600)]
    public void Timer_waits_are_cut_to_at_most_an_hour(long seconds, long expected) =>
        TimerWait.DueTime(Duration.FromSeconds(seconds)).Should().Be(TimeSpan.FromSeconds(expected));
}
