using NodaTime;
using Vpp.Contracts.Registrations;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Sites;

/// <summary>A site's state folded from its stream, and the decisions its commands make.</summary>
public sealed class SiteAggregate : EventSourcing.IAggregate
{
    public SiteRegistration? Site { get; set; }
    public SiteSettings Settings { get; set; } = new(100, true, null, null);
    public List<DeviceRegistration> Devices { get; set; } = [];
    /// <summary>Envelopes not yet expired when last applied; grid balancing enforces the most restrictive.</summary>
    public List<OperatingEnvelopeSet> Envelopes { get; set; } = [];

    /// <summary>Envelopes a site holds in force at once: a week of five-minute intervals.</summary>
    public const int MaxEnvelopes = 7 * 24 * 12;
    /// <summary>CloudEvents ids already applied (redelivered grid signals have no second effect).</summary>
    public List<string> AppliedSignalIds { get; set; } = [];
    /// <summary>Dispatch events the homeowner opted out of (the latest 100).</summary>
    public List<string> OptedOut { get; set; } = [];
    /// <summary>
    /// Market earnings: totals over every credit, the latest 200 credits, and the latest 5 000
    /// settlement ids (about seven weeks of quarter-hours; products are credited once, right after delivery).
    /// </summary>
    public double EarnedEur { get; set; }
    public double EarnedDeliveredKwh { get; set; }
    public int Settlements { get; set; }
    public List<EarningsCredited> LatestEarnings { get; set; } = [];
    public List<string> SettlementIds { get; set; } = [];

    public void Apply(object e)
    {
        switch (e)
        {
            case SiteRegistered r:
                Site = new SiteRegistration(r.SiteId, r.Name, r.TimeZoneId, r.BackupReservePct, r.LatitudeDeg, r.LongitudeDeg, r.At,
                    r.Region ?? SiteRegistration.DefaultRegion);
                Settings = new SiteSettings(r.BackupReservePct, true, null, null);
                break;
            case DeviceAddedToSite d when Devices.All(x => x.DeviceId != d.DeviceId):
                Devices.Add(new DeviceRegistration(d.DeviceId, d.SiteId, d.Kind, d.Battery, d.SolarRatedKw, d.At));
                break;
            case PreferencesChanged p:
                Settings = Settings with { BackupReservePct = p.BackupReservePct, Participating = p.Participating };
                if (Site is not null) Site = Site with { BackupReservePct = p.BackupReservePct };
                break;
            case ManualOverrideSet o:
                Settings = Settings with { ManualOverrideUntil = o.Until, ManualOverrideReason = o.Reason };
                break;
            case ManualOverrideCleared:
                Settings = Settings with { ManualOverrideUntil = null, ManualOverrideReason = null };
                break;
            case DispatchOptedOut o:
                OptedOut.Add(o.RequestId);
                if (OptedOut.Count > 100) OptedOut.RemoveAt(0);
                break;
            case EarningsCredited c when !SettlementIds.Contains(c.SettlementId):
                SettlementIds.Add(c.SettlementId);
                if (SettlementIds.Count > 5000) SettlementIds.RemoveAt(0);
                Settlements++;
                EarnedEur += c.Eur;
                EarnedDeliveredKwh += c.DeliveredKwh;
                LatestEarnings.Add(c);
                if (LatestEarnings.Count > 200) LatestEarnings.RemoveAt(0);
                break;
            case OperatingEnvelopeSet o:
                Envelopes.RemoveAll(x => x.ValidUntil <= o.At);
                Envelopes.Add(o);
                AppliedSignalIds.Add(o.SourceEventId);
                if (AppliedSignalIds.Count > 1000) AppliedSignalIds.RemoveAt(0);
                break;
        }
    }

    public IReadOnlyList<object> Register(SiteRegistration s) => Site is not null ? [] :
        [new SiteRegistered(s.SiteId, s.Name, s.TimeZoneId, s.BackupReservePct, s.LatitudeDeg, s.LongitudeDeg, s.RegisteredAt, s.Region)];

    public IReadOnlyList<object> AddDevice(DeviceRegistration d) => Devices.Any(x => x.DeviceId == d.DeviceId) ? [] :
        [new DeviceAddedToSite(RequireSite().SiteId, d.DeviceId, d.Kind, d.Battery, d.SolarRatedKw, d.RegisteredAt)];

    public IReadOnlyList<object> ChangePreferences(double reservePct, bool participating, string by, Instant now)
    {
        if (double.IsNaN(reservePct) || reservePct is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(reservePct), "backupReservePct must be between 0 and 100.");
        var site = RequireSite();
        return Settings.BackupReservePct == reservePct && Settings.Participating == participating ? []
            : [new PreferencesChanged(site.SiteId, reservePct, participating, by, now)];
    }

    public IReadOnlyList<object> SetOverride(Instant until, string reason, string by, Instant now)
    {
        if (until <= now) throw new ArgumentOutOfRangeException(nameof(until), "until must be in the future.");
        return [new ManualOverrideSet(RequireSite().SiteId, until, reason, by, now)];
    }

    public IReadOnlyList<object> ClearOverride(string by, Instant now) =>
        Settings.ManualOverrideUntil is null ? [] : [new ManualOverrideCleared(RequireSite().SiteId, by, now)];

    public IReadOnlyList<object> SetEnvelope(double importLimitKw, double exportLimitKw, Instant validFrom, Instant validUntil, string sourceEventId, Instant now)
    {
        var site = RequireSite();
        if (AppliedSignalIds.Contains(sourceEventId)) return [];
        if (!double.IsFinite(importLimitKw) || !double.IsFinite(exportLimitKw) || importLimitKw < 0 || exportLimitKw < 0)
            throw new ArgumentOutOfRangeException(nameof(importLimitKw), "importLimitKw and exportLimitKw must be finite and ≥ 0.");
        if (validUntil <= validFrom) throw new ArgumentOutOfRangeException(nameof(validUntil), "validUntil must be after validFrom.");
        if (Envelopes.Count(e => e.ValidUntil > now) >= MaxEnvelopes)
            throw new ArgumentOutOfRangeException(nameof(validUntil), $"The site already holds {MaxEnvelopes} envelopes in force; wait for some to expire.");
        return [new OperatingEnvelopeSet(site.SiteId, importLimitKw, exportLimitKw, validFrom, validUntil, sourceEventId, now)];
    }

    public IReadOnlyList<object> OptOut(string requestId, string by, Instant now) =>
        OptedOut.Contains(requestId) ? [] : [new DispatchOptedOut(RequireSite().SiteId, requestId, by, now)];

    public IReadOnlyList<object> CreditEarnings(string settlementId, string market, Instant start, Instant end, double deliveredKwh, double eur, Instant now)
    {
        if (!double.IsFinite(deliveredKwh) || !double.IsFinite(eur)) throw new ArgumentOutOfRangeException(nameof(eur), "Earnings must be numbers.");
        return SettlementIds.Contains(settlementId) ? [] : [new EarningsCredited(RequireSite().SiteId, settlementId, market, start, end, deliveredKwh, eur, now)];
    }

    private SiteRegistration RequireSite() => Site ?? throw new InvalidOperationException("The site is not registered.");
}
