namespace Vpp.Host.Hosting;

/// <summary>
/// Keeps one of this host's observers listed in a directory grain: announces at once and every
/// 30 s (directories forget entries after 90 s), and withdraws on shutdown.
/// </summary>
internal static class DirectoryAnnouncer
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(Func<Task> announce, ILogger log, string what, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await announce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not announce the {What}; retrying in 30 s", what);
            }
        } while (await Tick(timer, stoppingToken));
    }

    public static async Task WithdrawAsync(Func<Task> withdraw, CancellationToken ct)
    {
        try { await withdraw().WaitAsync(TimeSpan.FromSeconds(2), ct); }
        catch (Exception e) when (e is TimeoutException or OrleansException or OperationCanceledException) { }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
