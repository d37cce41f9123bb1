using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;

namespace Vpp.Messaging.Consumers;

/// <summary>
/// Sends a refused message to <c>vpp.deadletter.v1</c> unchanged (key, value, original headers),
/// with why and where from in <c>vpp_dlq_*</c> headers.
/// </summary>
public sealed class DeadLetters(KafkaEndpoint kafka, KafkaMetrics metrics)
{
    public async Task SendAsync(ConsumeResult<string, byte[]> source, string code, string reason, CancellationToken ct)
    {
        var headers = new Headers();
        if (source.Message.Headers is not null) foreach (var h in source.Message.Headers) headers.Add(h.Key, h.GetValueBytes());
        headers.Add("vpp_dlq_code", Encoding.UTF8.GetBytes(code));
        headers.Add("vpp_dlq_reason", Encoding.UTF8.GetBytes(reason));
        headers.Add("vpp_dlq_topic", Encoding.UTF8.GetBytes(source.Topic));
        headers.Add("vpp_dlq_partition", Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add("vpp_dlq_offset", Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        await kafka.Producer.ProduceAsync(KafkaTopics.DeadLetter,
            new Message<string, byte[]> { Key = source.Message.Key!, Value = source.Message.Value ?? [], Headers = headers }, ct);
        metrics.DeadLettered(source.Topic);
    }
}
