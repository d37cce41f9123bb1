using System.Reflection;
using System.Runtime.InteropServices;

namespace Vpp.Messaging.Embedded;

/// <summary>
/// librdkafka's mock-cluster API, bound to the very native library Confluent.Kafka loaded (on
/// Debian that is its centos8 build, because the default one needs libsasl2.so.3).
/// </summary>
internal static class MockNative
{
    private const string Lib = "librdkafka-loaded-by-confluent";
    private static readonly Lazy<IntPtr> Handle = new(LoadConfluentsLibrary);

    static MockNative() => NativeLibrary.SetDllImportResolver(typeof(MockNative).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Lib ? Handle.Value : IntPtr.Zero;

    private static IntPtr LoadConfluentsLibrary()
    {
        _ = Confluent.Kafka.Library.Version; // makes Confluent load its native library
        var loaded = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && p[^1].Contains("librdkafka", StringComparison.Ordinal))
            .Select(p => p[^1])
            .FirstOrDefault()
            ?? throw new InvalidOperationException("Confluent.Kafka's native librdkafka is not loaded; the embedded Kafka needs Linux.");
        return NativeLibrary.Load(loaded);
    }

    [DllImport(Lib)] public static extern IntPtr rd_kafka_conf_new();
    [DllImport(Lib)] public static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);
    [DllImport(Lib)] public static extern void rd_kafka_destroy(IntPtr rk);
    [DllImport(Lib)] public static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);
    [DllImport(Lib)] public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);
    [DllImport(Lib)] public static extern void rd_kafka_mock_cluster_destroy(IntPtr mcluster);
    [DllImport(Lib)] public static extern int rd_kafka_mock_topic_create(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);
    [DllImport(Lib)] public static extern int rd_kafka_mock_set_controller_id(IntPtr mcluster, int brokerId);
    [DllImport(Lib)] public static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int ms);
    [DllImport(Lib)] public static extern int rd_kafka_mock_broker_set_host_port(IntPtr mcluster, int brokerId, [MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port);
    [DllImport(Lib)] public static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);
    [DllImport(Lib)] public static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);
}
