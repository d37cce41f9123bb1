using NodaTime;

namespace Vpp.Domain.Markets;

/// <summary>One product of a market day: its position in the day and the delivery interval it covers.</summary>
public sealed record MarketProduct(int Index, Interval Delivery);

/// <summary>
/// How a market cuts delivery days into products and when it closes, in its own time zone: for
/// example the day-ahead auction (15-minute products, gate closure D-1 12:00 Europe/Berlin) or the
/// frequency-reserve capacity auction (4-hour blocks, D-1 08:00). A market may deliver only part
/// of the day (an intraday auction that covers 12:00–24:00): <see cref="DeliveryFrom"/> and
/// <see cref="DeliveryTo"/> in local time (null: midnight to midnight; sub-hourly products only).
/// </summary>
public sealed record MarketCalendar(string Name, DateTimeZone Zone, Period ProductLength, LocalTime GateClosureTime, int GateClosureDaysBefore,
    LocalTime? DeliveryFrom = null, LocalTime? DeliveryTo = null)
{
    public static MarketCalendar DayAhead(DateTimeZone zone) => new("day-ahead", zone, Period.FromMinutes(15), new LocalTime(12, 0), 1);

    public static MarketCalendar ReserveCapacity(DateTimeZone zone) => new("reserve-capacity", zone, Period.FromHours(4), new LocalTime(8, 0), 1);

    /// <summary>
    /// The products of a delivery day, from local midnight to the next. Products are cut in local
    /// time and mapped to instants, so a daylight-saving day has fewer or more of them (92 or 100
    /// quarter-hours) and a product that spans the change is shorter or longer (a 3- or 5-hour block).
    /// </summary>
    public IReadOnlyList<MarketProduct> Products(LocalDate deliveryDay)
    {
        var start = DeliveryFrom is { } from0 ? Zone.AtLeniently(deliveryDay.At(from0)).ToInstant() : Zone.AtStartOfDay(deliveryDay).ToInstant();
        var end = DeliveryTo is { } to0 && to0 != LocalTime.Midnight ? Zone.AtLeniently(deliveryDay.At(to0)).ToInstant() : Zone.AtStartOfDay(deliveryDay.PlusDays(1)).ToInstant();
        var products = new List<MarketProduct>();
        if (IsSubHourly)
        {
            // Fixed-length products in elapsed time: every quarter-hour that exists that day is one product.
            var step = ProductLength.ToDuration();
            for (var (t, i) = (start, 0); t < end; t += step, i++) products.Add(new MarketProduct(i, new Interval(t, t + step)));
            return products;
        }
        var local = deliveryDay.AtMidnight();
        for (var i = 0; ; i++)
        {
            var from = i == 0 ? start : Zone.AtLeniently(local).ToInstant();
            local += ProductLength;
            var to = local.Date > deliveryDay ? end : Zone.AtLeniently(local).ToInstant();
            if (to > from) products.Add(new MarketProduct(i, new Interval(from, to)));
            if (to >= end) return products;
        }
    }

    /// <summary>What is wrong with the calendar, or null.</summary>
    public string? Problem()
    {
        var length = ProductLength.ToDuration();
        if (length <= Duration.Zero) return "the product length must be positive";
        if (GateClosureDaysBefore < 0) return "gate closure cannot be after the delivery day starts";
        if ((DeliveryFrom is not null || DeliveryTo is not null) && !IsSubHourly) return "a partial delivery day needs sub-hourly products";
        if (DeliveryFrom is { } f && DeliveryTo is { } t && t != LocalTime.Midnight && t <= f) return "the delivery window ends before it starts";
        return null;
    }

    /// <summary>When bids for the delivery day must be in.</summary>
    public Instant GateClosure(LocalDate deliveryDay) =>
        Zone.AtLeniently(deliveryDay.PlusDays(-GateClosureDaysBefore).At(GateClosureTime)).ToInstant();

    /// <summary>The first delivery day whose gate is still open at <paramref name="now"/>.</summary>
    public LocalDate NextOpenDay(Instant now)
    {
        var day = now.InZone(Zone).Date;
        while (GateClosure(day) <= now) day = day.PlusDays(1);
        return day;
    }

    private bool IsSubHourly => ProductLength.ToDuration() < Duration.FromHours(1);
}
