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
    private readonly ConcurrentDictionary<string, (DeviceProfile Profile, Instant Until)> _profiles = new(StringComparer.Ordinal);

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
        DeviceProfile? device = null;
        await HandleEachAsync(messages, async (message, ce) =>
        {
            var (verdict, reading, profile) = await ValidateAsync(message, ce, ct);
            if (verdict.DeadLetterCode is null)
            {
                readings.Add(reading!);
                device = profile;
            }
            return verdict;
        }, ct);
        if (device is not null) await DeviceGrains.Get(grains, device.Kind, device.DeviceId).ReportMany(readings);
    }

    /// <summary>The reading and its device, or the dead-letter verdict.</summary>
    private async Task<(Handled Verdict, TelemetryReading? Reading, DeviceProfile? Profile)> ValidateAsync(
        ConsumeResult<string, byte[]> message, CloudEvent ce, CancellationToken ct)
    {
        static (Handled, TelemetryReading?, DeviceProfile?) Refuse(string code, string reason) => (Handled.Refuse(code, reason), null, null);
        if (ce.Type != CeType) return Refuse(ProtocolErrors.UnknownType, $"ce_type must be {CeType}.");
        var value = message.Message.Value ?? [];
        if (value.Length > DeviceMessageParser.MaxFrameBytes)
            return Refuse(ProtocolErrors.FrameTooLarge, $"Messages are limited to {DeviceMessageParser.MaxFrameBytes} bytes.");
        var deviceId = ReadDeviceId(value);
        if (deviceId is null) return Refuse(ProtocolErrors.InvalidField, "Field 'deviceId' (string) is required.");
        if (message.Message.Key != deviceId) return Refuse(ProtocolErrors.DeviceIdMismatch, "The message key must be the deviceId.");
        var profile = await ProfileAsync(deviceId, ct);
        if (profile is null) return Refuse("unknown_device", $"No device '{deviceId}' is registered.");

        var parsed = DeviceMessageParser.Parse(value, profile, clock.GetCurrentInstant());
        if (parsed.Error is { } error) return Refuse(error.Code, error.Message);
        if (parsed.Message is not TelemetryMessage t) return Refuse(ProtocolErrors.UnknownType, "Only type 'telemetry' is accepted on this topic.");
        return (Handled.Ok, new TelemetryReading(t.Seq, t.Ts, t.PowerKw, t.SocPct, t.AvailableKw, t.GridKw, t.LoadKw), profile);
    }

    private async Task<DeviceProfile?> ProfileAsync(string deviceId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (_profiles.TryGetValue(deviceId, out var cached) && cached.Until > now) return cached.Profile;
        var entry = await readModels.GetDeviceAsync(deviceId, ct);
        if (entry is null) return null;
        var profile = entry.ToRegistration().Profile;
        _profiles[deviceId] = (profile, now + ProfileTtl);
        return profile;
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
