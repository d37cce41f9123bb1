using System.Collections.Concurrent;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using NodaTime;
using Vpp.Contracts.Devices;
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
    IGrainFactory grains, IReadModels readModels, IClock clock, ILogger<TelemetryConsumer> log)
    : BatchConsumer(kafka, options, deadLetters, metrics, log)
{
    public const string CeType = MessageTypes.Telemetry;
    private static readonly Duration ProfileTtl = Duration.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (DeviceProfile Profile, Instant Until)> _profiles = new(StringComparer.Ordinal);

    protected override string Topic => KafkaTopics.Telemetry;

    protected override async Task<Handled> HandleAsync(ConsumeResult<string, byte[]> message, CloudEvent ce, CancellationToken ct)
    {
        if (ce.Type != CeType) return Handled.Refuse(ProtocolErrors.UnknownType, $"ce_type must be {CeType}.");
        var value = message.Message.Value ?? [];
        if (value.Length > DeviceMessageParser.MaxFrameBytes)
            return Handled.Refuse(ProtocolErrors.FrameTooLarge, $"Messages are limited to {DeviceMessageParser.MaxFrameBytes} bytes.");
        var deviceId = ReadDeviceId(value);
        if (deviceId is null) return Handled.Refuse(ProtocolErrors.InvalidField, "Field 'deviceId' (string) is required.");
        if (message.Message.Key != deviceId) return Handled.Refuse(ProtocolErrors.DeviceIdMismatch, "The message key must be the deviceId.");
        var profile = await ProfileAsync(deviceId, ct);
        if (profile is null) return Handled.Refuse("unknown_device", $"No device '{deviceId}' is registered.");

        var parsed = DeviceMessageParser.Parse(value, profile, clock.GetCurrentInstant());
        if (parsed.Error is { } error) return Handled.Refuse(error.Code, error.Message);
        if (parsed.Message is not TelemetryMessage t) return Handled.Refuse(ProtocolErrors.UnknownType, "Only type 'telemetry' is accepted on this topic.");
        await DeviceGrains.Get(grains, profile.Kind, deviceId)
            .Report(new TelemetryReading(t.Seq, t.Ts, t.PowerKw, t.SocPct, t.AvailableKw, t.GridKw, t.LoadKw));
        return Handled.Ok;
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
