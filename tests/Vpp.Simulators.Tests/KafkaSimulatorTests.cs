using System.Text;
using Confluent.Kafka;
using NodaTime;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Embedded;
using Vpp.Protocol.GridSignals;
using Vpp.Simulators.Kafka;

namespace Vpp.Simulators.Tests;

public class KafkaSimulatorTests
{
    [Fact]
    public async Task The_grid_simulator_sends_signals_the_host_accepts()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(KafkaTopics.GridSignals, 3);
        var output = new StringWriter();
        // A dispatch request with the first reading (and every 60 s after); 10 readings, however slow the machine.
        await GridSignalProducer.RunAsync(new GridOptions(cluster.BootstrapServers, "DE-N", null, 0, 50, 60, 250, 15, 7, Count: 10),
            SystemClock.Instance, output, CancellationToken.None);

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "t", AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(KafkaTopics.GridSignals);
        var messages = new List<ConsumeResult<string, byte[]>>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20) && messages.Count < 11)
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } m) messages.Add(m);

        messages.Should().HaveCount(11, "10 readings and one dispatch request");
        var now = SystemClock.Instance.GetCurrentInstant();
        foreach (var m in messages)
        {
            var (ce, error) = CloudEvent.FromHeaders(m.Message.Headers);
            error.Should().BeNull();
            var parsed = GridSignalParser.Parse(ce!.Type, m.Message.Value, m.Message.Key, now);
            parsed.Ok.Should().BeTrue(parsed.Error);
        }
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("ce_type")))
            .Should().Contain(MessageTypes.DispatchRequest).And.Contain(MessageTypes.Frequency);
        output.ToString().Should().Contain("dispatch request DE-N-");
    }

    [Fact]
    public void Synthetic_frequency_stays_near_50_Hz_and_dips()
    {
        var trace = GridSignalProducer.Synthetic(1).Take(600).ToList();
        trace.Should().OnlyContain(hz => hz > 49.8 && hz < 50.1);
        trace.Min().Should().BeLessThan(49.9, "the trace includes a dip beyond the ±10 mHz deadband");
    }

    [Fact]
    public void The_utility_prints_each_event_once_by_ce_id()
    {
        var ce = new CloudEvent("id-1", MessageTypes.DispatchReceived, "urn:vpp:host", Instant.FromUtc(2026, 11, 23, 12, 0));
        var r = new ConsumeResult<string, byte[]>
        {
            Message = new Message<string, byte[]>
            {
                Key = "req-1", Headers = ce.ToHeaders(),
                Value = Encoding.UTF8.GetBytes("""{"requestId":"req-1","status":"received","powerKw":100}"""),
            },
        };
        var seen = new HashSet<string>();
        UtilityConsumer.Describe(r, seen).Should().Contain("req-1").And.Contain("received").And.Contain("powerKw=100");
        UtilityConsumer.Describe(r, seen).Should().StartWith("(repeat of id-1");
    }
}
