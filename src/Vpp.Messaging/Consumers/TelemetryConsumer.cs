using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Grains.Hosting;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Topics;
using Vpp.Persistence.ReadModels;
using Vpp.Protocol;

namespace Vpp.Messaging.Consumers;

/// <summary>
/// <c>vpp.telemetry.v1</c> → device twins: the same message and validation as the WebSocket
/// gateway, plus <c>deviceId</c> (= the key). A redelivered reading repeats its seq and is ignored by
/// the twin; anything invalid goes to the dead-letter topic with its reason.
/// </summary>
public sealed class TelemetryConsumer(KafkaEndpoint kafka, KafkaOptions options, DeadLetters deadLetters, KafkaMetrics metrics,
    IGrainFactory grains, IReadModels readModels, IClock clock, RollupFlushService history, ILogger<TelemetryConsumer> log)
    : BatchConsumer(kafka, options, deadLetters, metrics, log)
{
    public const string CeType = MessageTypes.Telemetry;
    private static readonly Duration ProfileTtl = Duration.FromMinutes(1);
    // Per device: its profile for validation and its twin's reference (resolving a grain reference is not free).
    private readonly ConcurrentDictionary<string, (DeviceProfile Profile, IDeviceGrain Twin, Instant Until)> _devices = new(StringComparer.Ordinal);

    protected override string Topic => KafkaTopics.Telemetry;

    /// <summary>
    /// A reading's lasting effect is its place in the telemetry history: write what the buffer holds
    /// (running minutes too) before the offsets are committed. A crash between the write and the commit
    /// can count that batch twice in history (at-least-once); nothing committed is ever missing.
    /// </summary>
    protected override async Task BeforeCommitAsync(CancellationToken ct)
    {
        if (!await history.FlushAsync(null, ct)) throw new InvalidOperationException("Telemetry history could not be written; offsets stay uncommitted.");
    }

    /// <summary>Validates every message of one device, dead-letters the bad ones, and hands the rest to the twin in one call.</summary>
    protected override async Task HandleKeyAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages, CancellationToken ct)
    {
        var readings = new List<TelemetryReading>(messages.Count);
        IDeviceGrain? twin = null;
        await HandleEachAsync(messages, async (message, ce) =>
        {
            var (verdict, reading, device) = await ValidateAsync(message, ce, ct);
            if (verdict.DeadLetterCode is null)
            {
                readings.Add(reading!);
                twin = device;
            }
            return verdict;
        }, ct);
        if (twin is not null) await twin.ReportMany(readings);
    }

    /// <summary>The reading and its device, or the dead-letter verdict.</summary>
    private async Task<(Handled Verdict, TelemetryReading? Reading, IDeviceGrain? Twin)> ValidateAsync(
        ConsumeResult<string, byte[]> message, CloudEvent ce, CancellationToken ct)
    {
        static (Handled, TelemetryReading?, IDeviceGrain?) Refuse(string code, string reason) => (Handled.Refuse(code, reason), null, null);
        if (ce.Type != CeType) return Refuse(ProtocolErrors.UnknownType, $"ce_type must be {CeType}.");
        var value = message.Message.Value ?? [];
        if (value.Length > DeviceMessageParser.MaxFrameBytes)
            return Refuse(ProtocolErrors.FrameTooLarge, $"Messages are limited to {DeviceMessageParser.MaxFrameBytes} bytes.");
        var deviceId = ReadDeviceId(value);
        if (deviceId is null) return Refuse(ProtocolErrors.InvalidField, "Field 'deviceId' (string) is required.");
        if (message.Message.Key != deviceId) return Refuse(ProtocolErrors.DeviceIdMismatch, "The message key must be the deviceId.");
        if (await DeviceAsync(deviceId, ct) is not var (profile, twin)) return Refuse("unknown_device", $"No device '{deviceId}' is registered.");

        var parsed = DeviceMessageParser.Parse(value, profile, clock.GetCurrentInstant());
        if (parsed.Error is { } error) return Refuse(error.Code, error.Message);
        if (parsed.Message is not TelemetryMessage t) return Refuse(ProtocolErrors.UnknownType, "Only type 'telemetry' is accepted on this topic.");
        return (Handled.Ok, new TelemetryReading(t.Seq, t.Ts, t.PowerKw, t.SocPct, t.AvailableKw, t.GridKw, t.LoadKw), twin);
    }

    /// <summary>Looks up, in one query, every device of the batch not cached (or cached too long ago).</summary>
    protected override async Task BeforeBatchAsync(IReadOnlyList<ConsumeResult<string, byte[]>> batch, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var missing = batch.Select(m => m.Message.Key).Where(k => !string.IsNullOrEmpty(k) && !(_devices.TryGetValue(k, out var c) && c.Until > now))
            .Distinct(StringComparer.Ordinal).ToList();
        foreach (var entry in await readModels.GetDevicesAsync(missing, ct)) Remember(entry, now);
    }

    private async Task<(DeviceProfile Profile, IDeviceGrain Twin)?> DeviceAsync(string deviceId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (_devices.TryGetValue(deviceId, out var cached) && cached.Until > now) return (cached.Profile, cached.Twin);
        var entry = await readModels.GetDeviceAsync(deviceId, ct);
        if (entry is null) return null;
        var (profile, twin, _) = Remember(entry, now);
        return (profile, twin);
    }

    private (DeviceProfile, IDeviceGrain, Instant) Remember(DeviceDirectoryEntry entry, Instant now)
    {
        var profile = entry.ToRegistration().Profile;
        return _devices[profile.DeviceId] = (profile, DeviceGrains.Get(grains, profile.Kind, profile.DeviceId), now + ProfileTtl);
    }

    /// <summary>The top-level "deviceId" string, or null.</summary>
    internal static string? ReadDeviceId(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("deviceId"u8);
                if (!reader.Read()) return null;
                if (isId) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
