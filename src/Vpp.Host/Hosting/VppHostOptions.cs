namespace Vpp.Host.Hosting;

/// <summary>Configuration of the host (section "Vpp"); every key is listed in docs/configuration.md.</summary>
public sealed class VppHostOptions
{
    public const string Section = "Vpp";

    /// <summary>Operator API key (header X-Api-Key). Empty: one is generated at start-up and printed.</summary>
    public string OperatorApiKey { get; set; } = "";

    /// <summary>Telemetry interval devices are told in <c>welcome</c>.</summary>
    public int TelemetryIntervalMs { get; set; } = 1000;

    /// <summary>How often a site's and the fleet's twins publish live state when it changed.</summary>
    public int PublishIntervalMs { get; set; } = 1000;

    /// <summary>Sustained messages per second one device connection may send before it is closed with 1008.</summary>
    public double MaxMessagesPerSecond { get; set; } = 50;

    /// <summary>Burst allowance on top of the sustained rate.</summary>
    public int MessageBurst { get; set; } = 200;

    /// <summary>Bad frames one connection may send within 10 seconds before it is closed with 1008.</summary>
    public int MaxBadFramesPer10s { get; set; } = 20;

    /// <summary>
    /// Refused device upgrades (no, unknown or revoked token) one address may make in a minute before its
    /// upgrades are answered 429 unchecked until the minute is over. High, because many homes can share
    /// one address (carrier-grade NAT).
    /// </summary>
    public int MaxRefusedUpgradesPerMinute { get; set; } = 120;

    public OrleansOptions Orleans { get; set; } = new();

    public HistoryOptions History { get; set; } = new();

    public GridOptions Grid { get; set; } = new();

    public PortalOptions Portal { get; set; } = new();

    /// <summary>Sign-in and the homeowner dashboard (docs/dashboards.md).</summary>
    public sealed class PortalOptions
    {
        /// <summary>The lowest backup reserve a homeowner may choose (operators may set any).</summary>
        public double MinBackupReservePct { get; set; } = 10;

        /// <summary>The highest backup reserve a homeowner may choose.</summary>
        public double MaxBackupReservePct { get; set; } = 100;

        /// <summary>Sign-in attempts per client address per minute; more get HTTP 429.</summary>
        public int SignInAttemptsPerMinute { get; set; } = 10;

        /// <summary>Where the cookie-protection keys live; hosts behind one load balancer must share it. Empty: the user profile.</summary>
        public string KeysDirectory { get; set; } = "";

        /// <summary>A session ends this long after sign-in however active it is (it also ends after 12 idle hours).</summary>
        public double SessionLifetimeHours { get; set; } = 24;

        /// <summary>Mark the session cookie Secure whatever the request's scheme (set it behind TLS; otherwise it is Secure on https requests).</summary>
        public bool SecureCookies { get; set; }

        /// <summary>
        /// Proxies (IP addresses) whose X-Forwarded-For and X-Forwarded-Proto are trusted: with them the
        /// per-address limits see each client, and a request that came over TLS counts as https. Empty: none.
        /// </summary>
        public string[] TrustedProxies { get; set; } = [];

        public string? Problem() =>
            !(MinBackupReservePct >= 0 && MinBackupReservePct <= MaxBackupReservePct && MaxBackupReservePct <= 100)
                ? "need 0 ≤ MinBackupReservePct ≤ MaxBackupReservePct ≤ 100."
            : SignInAttemptsPerMinute < 1 ? "SignInAttemptsPerMinute must be at least 1."
            : !(SessionLifetimeHours > 0 && SessionLifetimeHours <= 24 * 30) ? "SessionLifetimeHours must be more than 0 and at most 720."
            : TrustedProxies.FirstOrDefault(p => !System.Net.IPAddress.TryParse(p, out _)) is { } bad ? $"TrustedProxies: '{bad}' is not an IP address."
            : null;
    }

    /// <summary>Dispatch execution (docs/grid-balancing.md).</summary>
    public sealed class GridOptions
    {
        public double BaselineWindowSeconds { get; set; } = 300;
        public double DeliveryIntervalSeconds { get; set; } = 60;
        public double TraceBucketSeconds { get; set; } = 5;
        public double TraceRetentionMinutes { get; set; } = 20;
        public double AckTimeoutSeconds { get; set; } = 10;
        public double CentralResponseValiditySeconds { get; set; } = 10;
        public double SocCheckIntervalSeconds { get; set; } = 30;
        /// <summary>After a start, open dispatches are resumed this much later, once devices have reconnected (their setpoints run meanwhile).</summary>
        public double ResumeAfterSeconds { get; set; } = 10;
        /// <summary>A dispatch may start at most this many days ahead; 1–30 (a grain timer cannot wait longer than about 49 days).</summary>
        public double MaxDispatchLeadDays { get; set; } = 7;

        /// <summary>What is wrong with these settings, or null.</summary>
        public string? Problem() =>
            new[] { BaselineWindowSeconds, DeliveryIntervalSeconds, TraceBucketSeconds, TraceRetentionMinutes, AckTimeoutSeconds,
                    CentralResponseValiditySeconds, SocCheckIntervalSeconds, ResumeAfterSeconds }
                .Any(v => !double.IsFinite(v) || v <= 0) ? "every value must be a positive number."
            : TraceRetentionMinutes * 60 < BaselineWindowSeconds + DeliveryIntervalSeconds
                ? "TraceRetentionMinutes must cover BaselineWindowSeconds + DeliveryIntervalSeconds."
            : TraceBucketSeconds > DeliveryIntervalSeconds ? "TraceBucketSeconds must not exceed DeliveryIntervalSeconds."
            : !(MaxDispatchLeadDays >= 1 && MaxDispatchLeadDays <= 30) ? "MaxDispatchLeadDays must be 1–30."
            : null;
    }

    /// <summary>Telemetry history (minute rollups by event time).</summary>
    public sealed class HistoryOptions
    {
        /// <summary>A reading older than its device's newest by more than this is dropped and counted.</summary>
        public double AllowedLatenessMinutes { get; set; } = 10;

        /// <summary>Nothing older than this (server clock) enters history, even from a backfill.</summary>
        public double BackfillHorizonHours { get; set; } = 168;

        /// <summary>How often each host merges its buffered rollups into PostgreSQL.</summary>
        public double FlushIntervalSeconds { get; set; } = 5;
    }

    public sealed class OrleansOptions
    {
        public string ClusterId { get; set; } = "vpp-dev";
        public string ServiceId { get; set; } = "vpp";
        public int SiloPort { get; set; } = 11111;
        public int GatewayPort { get; set; } = 30000;

        /// <summary>
        /// Localhost clustering of several hosts on one machine: the silo port of the first host
        /// (0 = this host is the first). Production clusters use a membership provider instead.
        /// </summary>
        public int PrimarySiloPort { get; set; }
    }
}
