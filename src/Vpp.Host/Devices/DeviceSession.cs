using System.Net.WebSockets;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.Protocol;
using Vpp.Host.Hosting;
using Vpp.Contracts.Registrations;
using Vpp.Domain.Telemetry;

namespace Vpp.Host.Devices;

/// <summary>
/// One device's WebSocket connection: validates every frame, hands readings to the twin, relays
/// acks, and is the twin's <see cref="IDeviceConnection"/> for setpoints and closing.
/// Sends are serialised (WebSocket allows one send at a time).
/// </summary>
internal sealed class DeviceSession(
    WebSocket socket,
    DeviceRegistration device,
    IGrainFactory grains,
    IClock clock,
    VppHostOptions settings,
    GatewayMetrics metrics,
    DeviceGateway gateway,
    ILogger log) : IDeviceConnection
{
    /// <summary>Command ids of central frequency response frames; their acks stay in the gateway (nothing to record).</summary>
    public const string CentralCommandPrefix = "frc_";

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly DeviceProfile _profile = device.Profile;
    private readonly FloodGuard _flood = new(settings.MaxMessagesPerSecond, settings.MessageBurst, settings.MaxBadFramesPer10s);
    private readonly Queue<Task> _inFlight = new();
    private long _lastSeq = -1;
    private Instant? _newestTs;

    /// <summary>Readings in flight to the twin per connection before the gateway stops reading the socket.</summary>
    private const int MaxInFlight = 16;

    public async Task RunAsync(CancellationToken aborted)
    {
        var twin = DeviceGrains.Get(grains, device.Kind, device.DeviceId);
        var self = grains.CreateObjectReference<IDeviceConnection>(this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        metrics.Opened();
        try
        {
            var connected = await twin.Connect(self);
            await SendAsync(new WelcomeMessage(clock.GetCurrentInstant(), settings.TelemetryIntervalMs, Math.Max(connected.LastSeq, 0)));
            foreach (var pending in connected.PendingSetpoints) await SendSetpoint(pending);
            if (connected.PendingDroop is { } droop) await SendFrequencyResponse(droop);
            gateway.Attach(device.DeviceId, this);
            await ReceiveLoop(twin, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (WebSocketException e)
        {
            log.LogDebug(e, "Device {DeviceId} connection dropped", device.DeviceId);
        }
        finally
        {
            gateway.Detach(device.DeviceId, this);
            metrics.Closed();
            try { await Task.WhenAll(_inFlight); }
            catch (Exception e) { log.LogWarning(e, "Readings of device {DeviceId} could not be delivered to its twin", device.DeviceId); }
            try { await twin.Disconnect(self); }
            catch (Exception e) { log.LogWarning(e, "Could not unbind device {DeviceId} from its twin", device.DeviceId); }
            grains.DeleteObjectReference<IDeviceConnection>(self);
        }
    }

    private async Task ReceiveLoop(IDeviceGrain twin, CancellationToken ct)
    {
        var buffer = new byte[DeviceMessageParser.MaxFrameBytes + 1];
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += result.Count;
                // At the limit the message is refused and the connection closed (1009): draining it instead
                // let an endless message without FIN hold the connection, uncounted by the flood guard.
                if (length > DeviceMessageParser.MaxFrameBytes)
                {
                    metrics.Frame();
                    metrics.Error(ProtocolErrors.FrameTooLarge);
                    await SendAsync(new ErrorMessage(ProtocolErrors.FrameTooLarge, $"Messages are limited to {DeviceMessageParser.MaxFrameBytes} bytes."));
                    log.LogWarning("Closing device {DeviceId}: a message over {Limit} bytes", device.DeviceId, DeviceMessageParser.MaxFrameBytes);
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big");
                    await DrainAfterCloseAsync(buffer);
                    return;
                }
            } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
                return;
            }

            metrics.Frame();
            var now = clock.GetCurrentInstant();
            if (!_flood.AllowFrame(now))
            {
                await Flooded("too many messages");
                return;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                if (!await Refuse(ProtocolErrors.BinaryNotSupported, "Send JSON text frames.", now)) return;
                continue;
            }

            var parsed = DeviceMessageParser.Parse(buffer.AsSpan(0, length), _profile, now);
            if (parsed.Error is { } error)
            {
                if (!await Refuse(error.Code, error.Message, now)) return;
                continue;
            }

            switch (parsed.Message)
            {
                case TelemetryMessage t:
                    // Cheap local dedupe within this connection; the twin dedupes again across reconnects and hosts.
                    if (TelemetryOrder.IsRepeat(t.Seq, t.Ts, _lastSeq, _newestTs)) continue;
                    _lastSeq = t.Seq;
                    if (_newestTs is null || t.Ts > _newestTs) _newestTs = t.Ts;
                    _inFlight.Enqueue(twin.Report(new TelemetryReading(t.Seq, t.Ts, t.PowerKw, t.SocPct, t.AvailableKw, t.GridKw, t.LoadKw)));
                    while (_inFlight.Count > MaxInFlight || (_inFlight.Count > 0 && _inFlight.Peek().IsCompleted)) await _inFlight.Dequeue();
                    break;
                case HelloMessage h:
                    log.LogDebug("Device {DeviceId} says hello, firmware {Firmware}", h.DeviceId, h.Firmware);
                    break;
                case AckMessage a when a.CommandId.StartsWith(CentralCommandPrefix, StringComparison.Ordinal):
                    break;
                case AckMessage a:
                    var outcome = await twin.Acknowledge(a.CommandId, a.Status, a.Reason);
                    if (outcome == AckOutcome.UnknownCommand
                        && !await Refuse(ProtocolErrors.UnknownCommand, $"No command '{a.CommandId}' was issued to this device.", now)) return;
                    break;
            }
        }
    }

    /// <summary>
    /// Reads what the device still sends, briefly and boundedly, until its close frame: a socket closed
    /// with unread data is reset, and the reset can destroy the error and close frames before the device reads them.
    /// </summary>
    private async Task DrainAfterCloseAsync(byte[] buffer)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            for (var i = 0; i < 64 && socket.State == WebSocketState.CloseSent; i++)
                if ((await socket.ReceiveAsync(buffer.AsMemory(), limit.Token)).MessageType == WebSocketMessageType.Close) return;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>Sends an error frame; false (after closing with 1008) when bad frames amount to a flood.</summary>
    private async Task<bool> Refuse(string code, string message, Instant now)
    {
        metrics.Error(code);
        await SendAsync(new ErrorMessage(code, message));
        if (_flood.AllowBadFrame(now)) return true;
        await Flooded("too many bad frames");
        return false;
    }

    private async Task Flooded(string why)
    {
        log.LogWarning("Closing device {DeviceId}: {Why}", device.DeviceId, why);
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, why);
    }

    public async Task SendSetpoint(CommandRecord command) =>
        await SendAsync(new SetpointMessage(command.CommandId, command.PowerKw, command.ValidUntil, command.Reason, command.MinSocPct));

    public async Task SendFrequencyResponse(DroopAssignment a) =>
        await SendAsync(new FrequencyResponseMessage(a.CommandId, a.CommittedKw, a.NominalHz, a.DeadbandHz, a.FullActivationHz, a.ValidUntil, a.MinSocPct));

    public async Task SendCentralResponse(CentralFrame frame, Instant validUntil)
    {
        try
        {
            await SendAsync(new SetpointMessage(CentralCommandPrefix + Guid.CreateVersion7().ToString("N"), frame.PowerKw, validUntil,
                "frequency response", frame.MinSocPct));
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // The connection is going away; the device falls back to self-consumption on its own.
        }
    }

    public Task Close(int closeCode, string reason)
    {
        _ = CloseAndStop((WebSocketCloseStatus)closeCode, reason);
        return Task.CompletedTask;
    }

    private async Task CloseAndStop(WebSocketCloseStatus code, string reason)
    {
        await CloseAsync(code, reason);
        // Give the device time to answer the close handshake; cancelling a receive aborts the socket.
        _closing.CancelAfter(TimeSpan.FromSeconds(5));
    }

    private async Task CloseAsync(WebSocketCloseStatus code, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(code, reason, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendAsync(ServerMessage message)
    {
        var bytes = MessageWriter.Write(message);
        await _sendLock.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
