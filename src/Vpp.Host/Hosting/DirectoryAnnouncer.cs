namespace Vpp.Host.Hosting;

/// <summary>
/// Keeps one of this host's observers listed in a directory grain: announces at once and every
/// 30 s (directories forget entries after 90 s), 2 s after a failure, and withdraws on shutdown.
/// </summary>
internal static class DirectoryAnnouncer
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(Func<Task> announce, ILogger log, string what, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A failed announcement (the cluster still forming, a silo joining) is retried soon, not
            // after a whole period: until it lands, this host's observer receives nothing.
            var wait = Period;
            try
            {
                await announce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not announce the {What}; retrying in {Seconds} s", what, RetryAfterFailure.TotalSeconds);
                wait = RetryAfterFailure;
            }
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public static async Task WithdrawAsync(Func<Task> withdraw, CancellationToken ct)
    {
        try { await withdraw().WaitAsync(TimeSpan.FromSeconds(2), ct); }
        catch (Exception e) when (e is TimeoutException or OrleansException or OperationCanceledException) { }
    }
}
