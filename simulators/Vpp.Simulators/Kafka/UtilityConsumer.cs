using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Vpp.Messaging.Contracts;

namespace Vpp.Simulators.Kafka;

/// <summary>
/// What a utility runs: follows vpp.dispatch.v1 and prints each request's lifecycle, skipping
/// repeats by ce_id as the topic contract asks.
/// </summary>
public static class UtilityConsumer
{
    public static Task RunAsync(string bootstrap, string group, bool fromStart, TextWriter output, CancellationToken ct) => Task.Run(() =>
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = true,
            AutoOffsetReset = fromStart ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest, SessionTimeoutMs = 6_000,
        }).Build();
        consumer.Subscribe(KafkaTopics.Dispatch);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        output.WriteLine($"utility: following {KafkaTopics.Dispatch} on {bootstrap} (group {group})");
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var r = consumer.Consume(ct);
                if (r?.Message is null) continue;
                output.WriteLine(Describe(r, seen));
            }
        }
        catch (OperationCanceledException) { }
        finally { consumer.Close(); }
    }, ct);

    /// <summary>One line per message: when, request, status and the fields that matter to a utility.</summary>
    public static string Describe(ConsumeResult<string, byte[]> r, ISet<string> seen)
    {
        string H(string k) => r.Message.Headers.TryGetLastBytes(k, out var b) ? Encoding.UTF8.GetString(b) : "?";
        var id = H("ce_id");
        if (!seen.Add(id)) return $"(repeat of {id} ignored)";
        try
        {
            using var doc = JsonDocument.Parse(r.Message.Value);
            var root = doc.RootElement;
            var status = root.TryGetProperty("status", out var s) ? s.GetString() : H("ce_type");
            var details = string.Join(" ", root.EnumerateObject()
                .Where(p => p.Name is not ("requestId" or "status"))
                .Select(p => $"{p.Name}={p.Value}"));
            return $"{H("ce_time")} {r.Message.Key} {status,-10} {details}";
        }
        catch (JsonException)
        {
            return $"{H("ce_time")} {r.Message.Key} (unreadable value)";
        }
    }
}
