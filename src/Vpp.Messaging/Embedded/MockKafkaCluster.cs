using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vpp.Messaging.Embedded;

/// <summary>
/// An in-process Kafka for the embedded default and tests: librdkafka's mock cluster, which speaks
/// the real protocol. Not a production broker: no retention settings, no faithful transactions.
/// With a fixed port, a small TCP relay serves broker N on <c>port + N − 1</c> and the brokers
/// advertise the relay, so <c>kcat -b localhost:port</c> works.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _holder;
    private readonly IntPtr _cluster;
    private readonly List<TcpRelay> _relays = [];
    private bool _disposed;

    private MockKafkaCluster(IntPtr holder, IntPtr cluster, string bootstrap)
    {
        _holder = holder;
        _cluster = cluster;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; private set; }
    public int Brokers { get; private init; }

    public static MockKafkaCluster Start(int brokers = 1, int? fixedPort = null)
    {
        var errstr = new byte[512];
        var holder = MockNative.rd_kafka_new(0, MockNative.rd_kafka_conf_new(), errstr, (UIntPtr)errstr.Length);
        if (holder == IntPtr.Zero) throw new InvalidOperationException("librdkafka: " + System.Text.Encoding.UTF8.GetString(errstr).TrimEnd('\0'));
        var cluster = MockNative.rd_kafka_mock_cluster_new(holder, brokers);
        if (cluster == IntPtr.Zero)
        {
            MockNative.rd_kafka_destroy(holder);
            throw new InvalidOperationException("librdkafka could not start its mock cluster.");
        }
        // Without a controller every admin request waits forever; a 0 ms rebalance delay stalls groups.
        MockNative.rd_kafka_mock_set_controller_id(cluster, 1);
        MockNative.rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, 200);
        var bootstrap = Marshal.PtrToStringUTF8(MockNative.rd_kafka_mock_cluster_bootstraps(cluster))!;
        var mock = new MockKafkaCluster(holder, cluster, bootstrap) { Brokers = brokers };
        if (fixedPort is { } port) mock.Relay(port);
        return mock;
    }

    private void Relay(int firstPort)
    {
        var targets = BootstrapServers.Split(',');
        for (var broker = 1; broker <= targets.Length; broker++)
        {
            var target = IPEndPoint.Parse(targets[broker - 1]);
            var port = firstPort + broker - 1;
            _relays.Add(TcpRelay.Start(new IPEndPoint(IPAddress.Loopback, port), target));
            MockNative.rd_kafka_mock_broker_set_host_port(_cluster, broker, "127.0.0.1", port);
        }
        BootstrapServers = $"localhost:{firstPort}";
    }

    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        var err = MockNative.rd_kafka_mock_topic_create(_cluster, name, partitions, Math.Min(replicationFactor, Brokers));
        if (err != 0) throw new InvalidOperationException($"Creating topic {name} on the mock cluster failed with librdkafka error {err}.");
    }

    /// <summary>Every topic of the configuration (replication capped at the number of brokers).</summary>
    public void CreateTopics(Hosting.KafkaOptions options)
    {
        foreach (var (name, spec) in options.Topics) CreateTopic(name, spec.Partitions, spec.ReplicationFactor ?? options.ReplicationFactor);
    }

    /// <summary>Fault injection: the broker stops answering (connections are refused) until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => MockNative.rd_kafka_mock_broker_set_down(_cluster, brokerId);

    public void SetBrokerUp(int brokerId) => MockNative.rd_kafka_mock_broker_set_up(_cluster, brokerId);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var relay in _relays) relay.Dispose();
        MockNative.rd_kafka_mock_cluster_destroy(_cluster);
        MockNative.rd_kafka_destroy(_holder);
    }

    /// <summary>Forwards every connection on a fixed local port to the mock broker's random port.</summary>
    private sealed class TcpRelay : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly IPEndPoint _target;
        private readonly CancellationTokenSource _stop = new();

        private TcpRelay(TcpListener listener, IPEndPoint target)
        {
            _listener = listener;
            _target = target;
        }

        public static TcpRelay Start(IPEndPoint listen, IPEndPoint target)
        {
            var listener = new TcpListener(listen);
            listener.Start();
            var relay = new TcpRelay(listener, target);
            _ = relay.AcceptLoop();
            return relay;
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Pump(client);
            }
        }

        private async Task Pump(TcpClient client)
        {
            using var _ = client;
            using var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
                await using var a = client.GetStream();
                await using var b = upstream.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception) { /* either side went away */ }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
