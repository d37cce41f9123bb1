using System.Threading.Channels;

namespace Vpp.Host.Hosting;

/// <summary>
/// Keeps one of this host's observers listed in a directory grain: announces at once and every
/// 30 s (directories forget entries after 90 s), 2 s after a failure, at once and again 3 s later
/// whenever the cluster's membership changes, and withdraws on shutdown.
/// </summary>
internal static class DirectoryAnnouncer
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan FollowUpAfterMembershipChange = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(Func<Task> announce, IClusterMembershipService membership, ILogger log, string what, CancellationToken stoppingToken)
    {
        var membershipChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var watching = WatchMembershipAsync(membership, membershipChanged.Writer, stopWatching.Token);
        var followUp = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = followUp ? FollowUpAfterMembershipChange : Period;
                followUp = false;
                try
                {
                    await announce();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The cluster still forming, a silo joining: until an announcement lands, this
                    // host's observer receives nothing, so retry soon rather than after a period.
                    log.LogWarning(e, "Could not announce the {What}; retrying in {Seconds} s", what, RetryAfterFailure.TotalSeconds);
                    wait = RetryAfterFailure;
                }

                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                waiting.CancelAfter(wait);
                try
                {
                    await membershipChanged.Reader.ReadAsync(waiting.Token);
                    // A silo joined or left: directory ranges move between silos, and a directory
                    // grain can be activated afresh without this host's entry. Announce now, and
                    // again once the hand-off has settled.
                    followUp = true;
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            await stopWatching.CancelAsync();
            await watching;
        }
    }

    private static async Task WatchMembershipAsync(IClusterMembershipService membership, ChannelWriter<bool> changed, CancellationToken ct)
    {
        try
        {
            var first = true;
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(ct))
            {
                // The first snapshot is the current membership, not a change.
                if (!first) changed.TryWrite(true);
                first = false;
            }
        }
        catch (OperationCanceledException) { }
    }

    public static async Task WithdrawAsync(Func<Task> withdraw, CancellationToken ct)
    {
        try { await withdraw().WaitAsync(TimeSpan.FromSeconds(2), ct); }
        catch (Exception e) when (e is TimeoutException or OrleansException or OperationCanceledException) { }
    }
}
