using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Hosting;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>
/// The consumers' shared loop (BatchConsumer) on the Kafka protocol: a message whose effect fails the
/// same deterministic way goes to the dead-letter topic with the error after a bounded number of
/// attempts, and the messages beside and after it have their effect; a failure that passes (an outage)
/// is retried, not dead-lettered. The handler stands in for a grain with a bug a value can trigger.
/// </summary>
public sealed class PoisonMessageTests(VppHost host) : IClassFixture<VppHost>
{
    private sealed class ScriptedConsumer(VppHost host, string topic)
        : BatchConsumer(host.Service<KafkaEndpoint>(), host.Service<KafkaOptions>(), host.Service<DeadLetters>(), host.Service<KafkaMetrics>(), NullLogger.Instance)
    {
        public ConcurrentQueue<string> Effects { get; } = new();
        /// <summary>More failed attempts than <see cref="BatchConsumer.PoisonAttempts"/>: an outage that lasts must not be taken for poison.</summary>
        public int OutageLeft = BatchConsumer.PoisonAttempts + 2;
        protected override string Topic => topic;
        protected override string GroupName => "poison-test-" + topic;

        protected override Task HandleKeyAsync(IReadOnlyList<ConsumeResult<string, byte[]>> messages, CancellationToken ct) =>
            HandleEachAsync(messages, (message, _) =>
            {
                var value = Encoding.UTF8.GetString(message.Message.Value);
                if (value == "poison") throw new ArgumentOutOfRangeException(nameof(message), "a value the parser let through");
                if (value == "outage" && Interlocked.Decrement(ref OutageLeft) >= 0) throw new TimeoutException("the store is away");
                Effects.Enqueue(value);
                return Handled.Ok;
            }, ct);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_with_its_error_and_the_rest_have_their_effect()
    {
        var topic = "test.poison." + Guid.NewGuid().ToString("N")[..8];
        using var kafka = new KafkaTestClient(host.Service<KafkaEndpoint>().BootstrapServers);
        var ce = KafkaTestClient.Ce("vpp.test.v1").ToHeaders();
        // "a-bad" has no CloudEvents headers: refused at once, in the same key as the poison, so the key's retries handle it again and again.
        await kafka.ProduceRawAsync(topic, "a", Encoding.UTF8.GetBytes("a-bad"), null);
        foreach (var (key, value) in new[] { ("a", "a1"), ("a", "poison"), ("a", "a2"), ("b", "b1"), ("c", "outage"), ("a", "a3") })
            await kafka.ProduceRawAsync(topic, key, Encoding.UTF8.GetBytes(value), ce);

        var consumer = new ScriptedConsumer(host, topic);
        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Value(() => consumer.Effects.Count(e => e != "a1"), n => n >= 4, timeoutMs: 60_000);
            consumer.Effects.Distinct().Should().BeEquivalentTo(["a1", "a2", "a3", "b1", "outage"],
                "the messages beside and after the poison have their effect, and the outage passed");
            consumer.Effects.Where(e => e.StartsWith('a')).Distinct().Should().Equal(["a1", "a2", "a3"], "a key keeps its order");

            // Everything of key "a" is done (a3 came last); a sentinel refused after it marks the end of what was dead-lettered.
            await kafka.ProduceRawAsync(topic, "z", Encoding.UTF8.GetBytes("sentinel"), null);
            var dead = kafka.ReadAll(KafkaTopics.DeadLetter, r => r.Any(m => KafkaTestClient.Header(m, "vpp_dlq_topic") == topic && Encoding.UTF8.GetString(m.Message.Value) == "sentinel"), timeoutMs: 30_000)
                .Where(m => KafkaTestClient.Header(m, "vpp_dlq_topic") == topic).Select(m => (Value: Encoding.UTF8.GetString(m.Message.Value), Message: m)).ToList();
            dead.Select(d => d.Value).Should().BeEquivalentTo(["a-bad", "poison", "sentinel"], "each once, however often its key was handled; the outage was retried until it passed");
            var poison = dead.Single(d => d.Value == "poison").Message;
            KafkaTestClient.Header(poison, "vpp_dlq_code").Should().Be(PoisonFailure.Code);
            KafkaTestClient.Header(poison, "vpp_dlq_reason").Should().Contain("ArgumentOutOfRangeException").And.Contain("a value the parser let through");
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }
    }
}

public class PoisonFailureTests
{
    [Fact]
    public void Only_failures_a_value_can_cause_count_as_poison()
    {
        PoisonFailure.Is(new ArgumentOutOfRangeException("x")).Should().BeTrue();
        PoisonFailure.Is(new FormatException()).Should().BeTrue();
        PoisonFailure.Is(new OverflowException()).Should().BeTrue();
        PoisonFailure.Is(new AggregateException(new ArgumentException(), new FormatException())).Should().BeTrue();
        // Outages and bugs that would fail every message are retried, never dead-lettered.
        PoisonFailure.Is(new TimeoutException()).Should().BeFalse();
        PoisonFailure.Is(new InvalidOperationException()).Should().BeFalse();
        PoisonFailure.Is(new NullReferenceException()).Should().BeFalse();
        PoisonFailure.Is(new AggregateException(new ArgumentException(), new TimeoutException())).Should().BeFalse();
    }
}
