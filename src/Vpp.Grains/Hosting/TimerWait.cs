using NodaTime;

namespace Vpp.Grains.Hosting;

/// <summary>
/// Due times for one-shot grain timers. Orleans refuses a timer due more than about 49.7 days ahead
/// (and a grain that sets one on activation can never activate again), so a long wait is cut into
/// waits of at most <see cref="MaxWait"/>: the timer's callback checks what is actually due and sets
/// the next one.
/// </summary>
public static class TimerWait
{
    public static readonly Duration MaxWait = Duration.FromHours(1);

    public static TimeSpan DueTime(Duration delay) =>
        (delay < Duration.Zero ? Duration.Zero : delay > MaxWait ? MaxWait : delay).ToTimeSpan();
}
