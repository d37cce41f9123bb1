using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;
using Vpp.Scheduling;
using Vpp.Simulators.Fleet;

namespace Vpp.Simulators.Market;

/// <summary>
/// The backtest's homes and their state of charge. A product is delivered in steps of the simulated
/// clock: each home runs its share of the energy award plus its droop response to the frequency,
/// and counts what it could not do. The reserve is split over homes by what each can hold both ways
/// for 15 minutes; the energy award is shared by what each home can sustain beside its droop.
/// </summary>
public sealed class BacktestFleet(IReadOnlyList<HomeSpec> homes, Duration step)
{
    private readonly Percent[] _soc = homes.Select(h => new Percent(h.InitialSocPct)).ToArray();

    /// <summary>Steps in which a home went below its backup reserve or past its inverter limits.</summary>
    public int LimitViolations { get; private set; }

    /// <summary>Steps in which a home could not give the droop response its reserve commitment asked for, and products whose reserve the homes could no longer hold.</summary>
    public int ReserveViolations { get; private set; }

    /// <summary>
    /// What one product's delivery did: mean power beyond droop as the meters see it (kW, + out: the
    /// energy share, and SoC restoration in its place), mean droop power, droop not given (kWh), the
    /// frequency range seen, and the mean power of SoC restoration alone.
    /// </summary>
    public sealed record Delivery(double EnergyKw, double DroopKw, double DroopShortKwh, double MinHz, double MaxHz, double RestoreKw);

    /// <summary>The homes pooled into one battery, as the optimiser sees the fleet.</summary>
    public FleetModel Pooled() => FleetModel.Sum(Homes());

    /// <summary>Each home as its own battery, as the per-site optimiser sees it.</summary>
    public IReadOnlyList<FleetModel> Homes() => homes.Select((h, i) => new FleetModel(h.Battery.Capacity.Kwh, h.Battery.StoredAt(_soc[i]).Kwh,
        h.Battery.StoredAt(Floor(h)).Kwh, h.Battery.MaxCharge.Kw, h.Battery.MaxDischarge.Kw, h.Battery.RoundTripEfficiency)).ToList();

    /// <summary>Σ per home of the droop it can hold both ways for 15 minutes now (droop is symmetric per battery).</summary>
    public double SymmetricKw() => Enumerable.Range(0, homes.Count).Sum(SymmetricKw);

    private double SymmetricKw(int i) =>
        FrequencyReserve.Sustainable(BatteryCapability.Of(homes[i].SiteId, homes[i].Battery, _soc[i], Floor(homes[i]), Power.Zero)).Kw;

    public double SocPct() => homes.Select((h, i) => h.Battery.StoredAt(_soc[i]).Kwh).Sum() / homes.Sum(h => h.Battery.Capacity.Kwh) * 100;

    /// <summary>
    /// Delivers one product. <paramref name="reserveBlock"/>: the reserve block the product lies in
    /// (null: none). While the frequency is inside the deadband, a committed home outside its SoC
    /// window is steered back into it, as the host's SoC management does; that power is the home's
    /// instead of its energy share.
    /// </summary>
    public Delivery Deliver(double energyKw, double reserveKw, Interval? reserveBlock, Interval product, Func<Instant, double> hzAt)
    {
        var committed = Commitments(reserveKw, reserveBlock);
        var share = Shares(energyKw, committed.Select((c, i) => Math.Max(c, i < _dayWindow.Length ? _dayWindow[i] : 0)).ToArray(), product.Duration);
        double energyKwh = 0, droopKwh = 0, shortKwh = 0, restoreKwh = 0, minHz = double.MaxValue, maxHz = double.MinValue;
        for (var t = product.Start; t < product.End; t += step)
        {
            var dt = Duration.Min(step, product.End - t);
            var hours = dt.TotalHours;
            var hz = hzAt(t);
            (minHz, maxHz) = (Math.Min(minHz, hz), Math.Max(maxHz, hz));
            for (var i = 0; i < homes.Count; i++)
            {
                var (battery, floor) = (homes[i].Battery, Floor(homes[i]));
                var settings = new DroopSettings(new Power(committed[i]));
                var droop = settings.Response(hz).Kw;
                var restore = Math.Abs(hz - settings.NominalHz) <= settings.DeadbandHz
                    ? SocRestoration.Setpoint(battery, _soc[i], floor, new Power(committed[i])) : null;
                var restoring = restore is not null;
                var energy = restore?.Kw ?? share[i];
                // The droop response comes first: what the battery could give for it alone...
                var droopGiven = BatteryPhysics.Step(battery, _soc[i], new Power(droop), dt, floor).Power.Kw;
                // ...and the energy share is what the whole step gives beyond it.
                var stepped = BatteryPhysics.Step(battery, _soc[i], new Power(energy + droop), dt, floor);
                if (stepped.Power.Kw > battery.MaxDischarge.Kw + 1e-9 || -stepped.Power.Kw > battery.MaxCharge.Kw + 1e-9
                    || stepped.Power.Kw > 0 && stepped.Soc.Value < floor.Value - 1e-6)
                    LimitViolations++;
                var droopShort = Math.Abs(droop - droopGiven);
                if (droopShort > 1e-6) ReserveViolations++;
                energyKwh += (stepped.Power.Kw - droopGiven) * hours;
                if (restoring) restoreKwh += (stepped.Power.Kw - droopGiven) * hours;
                droopKwh += droopGiven * hours;
                shortKwh += droopShort * hours;
                _soc[i] = stepped.Soc;
            }
        }
        var productHours = product.Duration.TotalHours;
        return new Delivery(energyKwh / productHours, droopKwh / productHours, shortKwh, minHz, maxHz, restoreKwh / productHours);
    }

    private Interval? _committedBlock;
    private double[] _committed = [];
    private double[] _dayWindow = [];

    /// <summary>
    /// At the day's start, after the reserve auction: each home's part of the day's largest block by
    /// what it can hold both ways now. Energy shares keep every home able to give that part for 15
    /// minutes both ways all day, so each block's commitment still fits when it starts.
    /// </summary>
    public void PlanDay(double maxReserveKw)
    {
        var symmetric = Enumerable.Range(0, homes.Count).Select(SymmetricKw).ToArray();
        var total = symmetric.Sum();
        _dayWindow = symmetric.Select(p => total > 0 ? Math.Min(p, maxReserveKw * p / total) : 0).ToArray();
    }

    /// <summary>
    /// The reserve split by what each home can hold both ways when its block starts, kept for the
    /// block (the region commits frequency response the same way); a commitment the homes cannot take
    /// in full is a broken promise.
    /// </summary>
    private double[] Commitments(double reserveKw, Interval? block)
    {
        if (block is null || reserveKw <= 0) return new double[homes.Count];
        if (_committedBlock == block) return _committed;
        var symmetric = Enumerable.Range(0, homes.Count).Select(SymmetricKw).ToArray();
        var total = symmetric.Sum();
        _committed = symmetric.Select(p => total > 0 ? Math.Min(p, reserveKw * p / total) : 0).ToArray();
        _committedBlock = block;
        if (reserveKw - _committed.Sum() > 1e-6) ReserveViolations++;
        return _committed;
    }

    private static Percent Floor(HomeSpec h) => new(h.BackupReservePct);

    /// <summary>
    /// Shares the fleet's energy target as the aggregator shares a dispatch: by what each home can
    /// sustain over the product beside its droop commitment (its power less the commitment, and its
    /// energy above the reserve, or room below full, less 15 minutes of the commitment); what a home
    /// cannot take goes to the others, a few rounds.
    /// </summary>
    private double[] Shares(double targetKw, double[] committed, Duration length)
    {
        var planned = new double[homes.Count];
        if (Math.Abs(targetKw) < 1e-9) return planned;
        var hours = length.TotalHours;
        var sustainHours = ReservePlanner.Sustain.TotalHours;
        var capability = homes.Select((h, i) =>
        {
            var b = h.Battery;
            var stored = b.StoredAt(_soc[i]).Kwh;
            return Math.Max(0, targetKw > 0
                ? Math.Min(b.MaxDischarge.Kw - committed[i],
                    (stored - b.StoredAt(Floor(h)).Kwh - committed[i] * sustainHours / b.DischargeEfficiency) * b.DischargeEfficiency / hours)
                : Math.Min(b.MaxCharge.Kw - committed[i], (b.Capacity.Kwh - stored - committed[i] * sustainHours * b.ChargeEfficiency) / b.ChargeEfficiency / hours));
        }).ToArray();
        var remaining = Math.Abs(targetKw);
        for (var pass = 0; pass < 5 && remaining > 1e-6; pass++)
        {
            var free = Enumerable.Range(0, homes.Count).Where(i => planned[i] < capability[i] - 1e-9).ToList();
            var room = free.Sum(i => capability[i] - planned[i]);
            if (room <= 1e-9) break;
            var before = remaining;
            foreach (var i in free)
            {
                var add = Math.Min(capability[i] - planned[i], before * (capability[i] - planned[i]) / room);
                planned[i] += add;
                remaining -= add;
            }
        }
        return planned.Select(p => Math.Sign(targetKw) * p).ToArray();
    }
}
