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
    private Instant _batchNow;

    protected override string Topic => KafkaTopics.Telemetry;

    /// <summary>Its consumer group's name after <see cref="KafkaOptions.GroupId"/>.</summary>
    public const string Group = "telemetry";

    protected override string GroupName => Group;
    protected override TimeSpan DurableInterval => TimeSpan.FromMilliseconds(Settings.TelemetryCommitIntervalMs);

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
        await HandleEachAsync(messages, (message, ce) =>
        {
            var (verdict, reading, device) = Validate(message, ce);
            if (verdict.DeadLetterCode is null)
            {
                readings.Add(reading!);
                twin = device;
            }
            return verdict;
        }, ct);
        if (twin is not null) await twin.ReportMany(readings);
    }

    /// <summary>The reading and its device, or the dead-letter verdict. Synchronous: the batch's devices were looked up before.</summary>
    private (Handled Verdict, TelemetryReading? Reading, IDeviceGrain? Twin) Validate(ConsumeResult<string, byte[]> message, CloudEvent ce)
    {
        static (Handled, TelemetryReading?, IDeviceGrain?) Refuse(string code, string reason) => (Handled.Refuse(code, reason), null, null);
        if (ce.Type != CeType) return Refuse(ProtocolErrors.UnknownType, $"ce_type must be {CeType}.");
        var value = message.Message.Value ?? [];
        if (value.Length > DeviceMessageParser.MaxFrameBytes)
            return Refuse(ProtocolErrors.FrameTooLarge, $"Messages are limited to {DeviceMessageParser.MaxFrameBytes} bytes.");
        var deviceId = message.Message.Key;
        switch (DeviceIdOf(value, deviceId))
        {
            case DeviceIdField.Missing: return Refuse(ProtocolErrors.InvalidField, "Field 'deviceId' (string) is required.");
            case DeviceIdField.OtherThanKey: return Refuse(ProtocolErrors.DeviceIdMismatch, "The message key must be the deviceId.");
        }
        if (!_devices.TryGetValue(deviceId, out var device)) return Refuse("unknown_device", $"No device '{deviceId}' is registered.");

        var parsed = DeviceMessageParser.Parse(value, device.Profile, _batchNow);
        if (parsed.Error is { } error) return Refuse(error.Code, error.Message);
        if (parsed.Message is not TelemetryMessage t) return Refuse(ProtocolErrors.UnknownType, "Only type 'telemetry' is accepted on this topic.");
        return (Handled.Ok, new TelemetryReading(t.Seq, t.Ts, t.PowerKw, t.SocPct, t.AvailableKw, t.GridKw, t.LoadKw), device.Twin);
    }

    /// <summary>
    /// Reads the clock once for the batch and looks up, in one query, every device of the batch not
    /// cached or cached too long ago (one no longer registered is forgotten).
    /// </summary>
    protected override async Task BeforeBatchAsync(IReadOnlyList<ConsumeResult<string, byte[]>> batch, CancellationToken ct)
    {
        var now = _batchNow = clock.GetCurrentInstant();
        // Keys that cannot be a device id are never looked up (a NUL byte fails every PostgreSQL query, which would
        // hold the batch for good); their messages are refused as unknown devices.
        var missing = batch.Select(m => m.Message.Key).Where(k => Vpp.Contracts.Registrations.Ids.IsValid(k) && !(_devices.TryGetValue(k, out var c) && c.Until > now))
            .Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0) return;
        var found = await readModels.GetDevicesAsync(missing, ct);
        foreach (var id in missing) _devices.TryRemove(id, out _);
        foreach (var entry in found) Remember(entry, now);
    }

    private void Remember(DeviceDirectoryEntry entry, Instant now)
    {
        var profile = entry.ToRegistration().Profile;
        _devices[profile.DeviceId] = (profile, DeviceGrains.Get(grains, profile.Kind, profile.DeviceId), now + ProfileTtl);
    }

    internal enum DeviceIdField { Missing, OtherThanKey, SameAsKey }

    /// <summary>Whether the top-level "deviceId" string is there and equals the key (compared in place, nothing allocated).</summary>
    internal static DeviceIdField DeviceIdOf(ReadOnlySpan<byte> json, string? key)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return DeviceIdField.Missing;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("deviceId"u8);
                if (!reader.Read()) return DeviceIdField.Missing;
                if (isId)
                    return reader.TokenType != JsonTokenType.String ? DeviceIdField.Missing
                        : key is not null && reader.ValueTextEquals(key) ? DeviceIdField.SameAsKey : DeviceIdField.OtherThanKey;
                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid text (an unpaired surrogate).
        }
        return DeviceIdField.Missing;
    }
}
