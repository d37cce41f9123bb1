using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Sites;
using Vpp.Domain.Flexibility;
using Vpp.Domain.Grid;
using Vpp.Domain.Sites;
using Vpp.Domain.Units;
using Vpp.Grains.Devices;
using Vpp.Protocol;
using Vpp.Contracts.Registrations;

namespace Vpp.Grains.Sites;

/// <summary>One device as the site sees it.</summary>
internal sealed class DeviceSlot(DeviceRegistration registration)
{
    public DeviceRegistration Registration { get; set; } = registration;
    public bool Connected { get; set; }
    public Instant? LastSeen { get; set; }
    public TelemetryReading? Last { get; set; }
}

/// <summary>Turns the site's device slots into its live state using the domain's balance and flexibility.</summary>
internal static class SiteSnapshot
{
    public static SiteState Compute(SiteRegistration site, IEnumerable<DeviceSlot> slots, Instant now, Duration staleAfter)
    {
        double pv = 0, battery = 0, grid = 0, stored = 0, capacity = 0;
        double? meterLoad = null;
        var flex = BatteryFlexibility.None;
        var reserve = new Percent(site.BackupReservePct);
        var devices = new List<SiteDeviceView>();
        int online = 0, stale = 0;

        foreach (var slot in slots)
        {
            var reg = slot.Registration;
            var status = DeviceLiveness.Of(slot.Connected, slot.LastSeen, now, staleAfter);
            if (status == DeviceStatus.Online) online++;
            else if (status == DeviceStatus.Stale) stale++;
            devices.Add(new SiteDeviceView(reg.DeviceId, reg.Kind, status, slot.LastSeen, slot.Last?.FlowKw(reg.Kind), slot.Last?.Ts));

            // Power flows only from devices that are live; a stale reading is not today's truth.
            if (status != DeviceStatus.Online || slot.Last is not { } r) continue;
            switch (reg.Kind)
            {
                case DeviceKind.Solar:
                    pv += r.PowerKw;
                    break;
                case DeviceKind.Meter:
                    grid += r.GridKw ?? 0;
                    meterLoad = (meterLoad ?? 0) + (r.LoadKw ?? 0);
                    break;
                case DeviceKind.Battery when reg.Battery is { } b && r.SocPct is { } soc:
                    battery += r.PowerKw;
                    var spec = b.ToSpec();
                    stored += spec.StoredAt(new Percent(soc)).Kwh;
                    capacity += b.CapacityKwh;
                    flex += BatteryFlexibility.Of(spec, new Percent(soc), reserve);
                    break;
            }
        }

        var balance = new SitePowerBalance(new Power(pv), new Power(battery), new Power(grid));
        var siteStatus = online == 0 && stale == 0 ? SiteStatus.Offline : stale > 0 ? SiteStatus.Stale : SiteStatus.Online;
        return new SiteState(
            site.SiteId, site.Name, now, siteStatus, pv, battery, grid, meterLoad ?? balance.Load.Kw,
            capacity > 0 ? stored / capacity * 100 : null, stored, site.BackupReservePct,
            new FlexibilityView(flex.Up.Kw, flex.UpEnergy.Kwh, Minutes(flex.UpDuration), flex.Down.Kw, flex.DownEnergy.Kwh, Minutes(flex.DownDuration)),
            devices);
    }

    /// <summary>The site's online batteries with a known SoC, as grid balancing sees them.</summary>
    public static IReadOnlyList<BatteryCapability> Batteries(IEnumerable<DeviceSlot> slots, Percent reserve, Instant now, Duration staleAfter) =>
        slots.Where(s => s.Registration is { Kind: DeviceKind.Battery, Battery: not null } && s.Last?.SocPct is not null
                         && DeviceLiveness.Of(s.Connected, s.LastSeen, now, staleAfter) == DeviceStatus.Online)
            .Select(s => BatteryCapability.Of(s.Registration.DeviceId, s.Registration.Battery!.ToSpec(), new Percent(s.Last!.SocPct!.Value), reserve,
                new Power(s.Last.PowerKw)))
            .ToList();

    private static double Minutes(Duration d) => d == Duration.MaxValue ? double.PositiveInfinity : d.TotalMinutes;

    public static SiteReport ToReport(SiteState s) =>
        new(s.SiteId, s.At, s.Status, s.StoredKwh, s.Flexibility.UpKw, s.Flexibility.DownKw, s.PvKw, s.LoadKw, s.GridKw, s.BatteryKw);

    /// <summary>Whether the fleet must hear about this now rather than at the next periodic report.</summary>
    public static bool SignificantlyDifferent(SiteReport a, SiteReport b, double thresholdKw) =>
        a.Status != b.Status
        || Math.Abs(a.UpKw - b.UpKw) >= thresholdKw
        || Math.Abs(a.DownKw - b.DownKw) >= thresholdKw
        || Math.Abs(a.GridKw - b.GridKw) >= thresholdKw
        || Math.Abs(a.PvKw - b.PvKw) >= thresholdKw;
}
