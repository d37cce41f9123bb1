using System.Net.WebSockets;
using Vpp.Protocol;

namespace Vpp.Simulators.Fleet;

/// <summary>
/// One device's WebSocket connection, kept alive with exponential backoff and full jitter.
/// Stops for good on 4000 (another connection took over) and 4001 (token revoked).
/// </summary>
public sealed class DeviceClient(Uri endpoint, string deviceId, string token, Func<ServerMessage, DeviceClient, Task> onMessage, SemaphoreSlim connectGate)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ClientWebSocket? _socket;

    public string DeviceId => deviceId;
    public bool Connected => _socket?.State == WebSocketState.Open;
    public long LastSeq { get; set; }
    public long Reconnects { get; private set; }
    public int? StoppedWith { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested && StoppedWith is null)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
            try
            {
                await connectGate.WaitAsync(ct);
                try { await socket.ConnectAsync(endpoint, ct); }
                finally { connectGate.Release(); }
                _socket = socket;
                attempt = 0;
                await SendAsync(new HelloMessage(deviceId, "vpp-sim/1"), ct);
                await ReceiveLoop(socket, ct);
                if (socket.CloseStatus is { } status && (int)status is ProtocolCloseCodes.Replaced or ProtocolCloseCodes.TokenRevoked)
                    StoppedWith = (int)status;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
            {
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            finally
            {
                _socket = null;
                socket.Dispose();
            }
            if (StoppedWith is not null || ct.IsCancellationRequested) break;
            Reconnects++;
            var cap = Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt++, 10)));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ReceiveLoop(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += r.Count;
            } while (!r.EndOfMessage && length < buffer.Length);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }
            if (ServerMessageParser.Parse(buffer.AsSpan(0, length)) is { } message)
            {
                if (message is WelcomeMessage w) LastSeq = Math.Max(LastSeq, w.LastSeq);
                await onMessage(message, this);
            }
        }
    }

    /// <summary>Sends if connected; a reading taken while disconnected is dropped (the simulator does not backfill).</summary>
    public async Task<bool> SendAsync(DeviceMessage message, CancellationToken ct)
    {
        var socket = _socket;
        if (socket?.State != WebSocketState.Open) return false;
        var bytes = MessageWriter.Write(message);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
