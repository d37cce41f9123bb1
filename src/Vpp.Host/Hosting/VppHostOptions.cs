namespace Vpp.Host.Hosting;

/// <summary>Configuration of the host (section "Vpp"); every key is listed in docs/configuration.md.</summary>
public sealed class VppHostOptions
{
    public const string Section = "Vpp";

    /// <summary>Operator API key (header X-Api-Key). Empty: one is generated at start-up and printed.</summary>
    public string OperatorApiKey { get; set; } = "";

    /// <summary>Telemetry interval devices are told in <c>welcome</c>.</summary>
    public int TelemetryIntervalMs { get; set; } = 1000;

    /// <summary>Sustained messages per second one device connection may send before it is closed with 1008.</summary>
    public double MaxMessagesPerSecond { get; set; } = 50;

    /// <summary>Burst allowance on top of the sustained rate.</summary>
    public int MessageBurst { get; set; } = 200;

    /// <summary>Bad frames one connection may send within 10 seconds before it is closed with 1008.</summary>
    public int MaxBadFramesPer10s { get; set; } = 20;

    public OrleansOptions Orleans { get; set; } = new();

    public HistoryOptions History { get; set; } = new();

    public GridOptions Grid { get; set; } = new();

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

        /// <summary>What is wrong with these settings, or null.</summary>
        public string? Problem() =>
            new[] { BaselineWindowSeconds, DeliveryIntervalSeconds, TraceBucketSeconds, TraceRetentionMinutes, AckTimeoutSeconds,
                    CentralResponseValiditySeconds, SocCheckIntervalSeconds }
                .Any(v => !double.IsFinite(v) || v <= 0) ? "every value must be a positive number."
            : TraceRetentionMinutes * 60 < BaselineWindowSeconds + DeliveryIntervalSeconds
                ? "TraceRetentionMinutes must cover BaselineWindowSeconds + DeliveryIntervalSeconds."
            : TraceBucketSeconds > DeliveryIntervalSeconds ? "TraceBucketSeconds must not exceed DeliveryIntervalSeconds."
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
    }
}
