using System.Threading.Channels;

namespace Vpp.Persistence.Outbox;

/// <summary>
/// The in-memory store's outbox: appended events to publish, in append order. Volatile like the
/// store itself; a background publisher drains it into the <see cref="IOutboxSink"/>.
/// </summary>
public sealed class InMemoryOutbox
{
    private readonly Channel<OutboxEvent> _pending = Channel.CreateUnbounded<OutboxEvent>(new UnboundedChannelOptions { SingleReader = true });

    internal void Enqueue(OutboxEvent e) => _pending.Writer.TryWrite(e);

    public ChannelReader<OutboxEvent> Reader => _pending.Reader;
}
