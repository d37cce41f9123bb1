using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Markets;
using Vpp.Grains.Hosting;

namespace Vpp.Host.Markets;

/// <summary>
/// Arms the market days that matter now — for every traded region, each day from today to the next
/// day whose gate is open — at start and every minute. Arming is idempotent; the day grains then
/// run on their reminders and timers. This is also what re-arms them after a restart: reminders live
/// in memory, the days' progress in their event streams.
/// </summary>
public sealed class MarketScheduler(IGrainFactory grains, IClock clock, IOptions<MarketOptions> market, MarketsHostOptions options, ILogger<MarketScheduler> log)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    public static string Key(string region, LocalDate day) => $"{region}/{LocalDatePattern.Iso.Format(day)}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetCurrentInstant();
            // Reserve days first: the energy plan holds back what the reserve auction awarded.
            if (market.Value.Reserve.Enabled) await ArmAsync(market.Value.Reserve.Calendar, now, key => grains.GetGrain<IReserveDayGrain>(key).Arm());
            await ArmAsync(market.Value.Calendar, now, key => grains.GetGrain<IMarketDayGrain>(key).Arm());
            try { await Task.Delay(Period, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task ArmAsync(Vpp.Domain.Markets.MarketCalendar calendar, Instant now, Func<string, Task> arm)
    {
        var today = now.InZone(calendar.Zone).Date;
        var open = calendar.NextOpenDay(now);
        foreach (var region in options.Regions)
            for (var day = today.PlusDays(-1); day <= open; day = day.PlusDays(1))
            {
                try
                {
                    await arm(Key(region, day));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Could not arm {Market} day {Region} {Day}", calendar.Name, region, day);
                }
            }
    }
}
