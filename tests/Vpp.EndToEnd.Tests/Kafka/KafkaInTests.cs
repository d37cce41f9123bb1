using System.Net.Http.Json;
using System.Text;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Sites;
using Vpp.Messaging.Consumers;
using Vpp.Messaging.Hosting;
using Vpp.Messaging.Contracts;
using Vpp.Messaging.Topics;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Protocol.GridSignals;
using Vpp.Tests.Shared;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>Inbound topics on the host's embedded Kafka (librdkafka's mock cluster, the real protocol).</summary>
public sealed class KafkaInTests(VppHost host) : IClassFixture<VppHost>
{
    private static Instant Now => SystemClock.Instance.GetCurrentInstant();
    private static string Iso(Instant i) => InstantPattern.ExtendedIso.Format(i);
    private KafkaTestClient Client() => new(host.Service<KafkaEndpoint>().BootstrapServers);

    [Fact]
    public async Task Telemetry_from_kafka_updates_the_twin_and_a_redelivery_has_no_second_effect()
    {
        await host.RegisterHomeAsync("kafka-home");
        using var kafka = Client();
        using var api = host.Api();
        var reading = new { type = "telemetry", deviceId = "kafka-home-bat", seq = 7, ts = Iso(Now), powerKw = -1.5, socPct = 61.0 };
        var ce = KafkaTestClient.Ce("vpp.telemetry.v1");
        await kafka.ProduceAsync(KafkaTopics.Telemetry, "kafka-home-bat", reading, ce);

        var state = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/kafka-home-bat"), s => s.Last is not null);
        state.Last!.Seq.Should().Be(7);
        state.Last.SocPct.Should().Be(61);

        var duplicatesBefore = host.Service<Vpp.Grains.Hosting.TwinMetrics>().DuplicatesTotal;
        await kafka.ProduceAsync(KafkaTopics.Telemetry, "kafka-home-bat", reading with { }, ce); // the same message again
        await kafka.ProduceAsync(KafkaTopics.Telemetry, "kafka-home-bat", new { type = "telemetry", deviceId = "kafka-home-bat", seq = 8, ts = Iso(Now), powerKw = 2.0, socPct = 60.0 }, KafkaTestClient.Ce("vpp.telemetry.v1"));
        state = await Eventually.Until(() => api.GetViewAsync<DeviceTwinState>("/api/devices/kafka-home-bat"), s => s.Last?.Seq == 8);
        state.Last!.PowerKw.Should().Be(2);
        (host.Service<Vpp.Grains.Hosting.TwinMetrics>().DuplicatesTotal - duplicatesBefore).Should().Be(1);
    }

    [Fact]
    public async Task Grid_signals_reach_their_grains_once()
    {
        await host.RegisterHomeAsync("env-home");
        using var kafka = Client();
        var grains = host.Service<IGrainFactory>();
        var requestId = "req-" + Guid.NewGuid().ToString("N")[..8];
        var envelopeCe = KafkaTestClient.Ce(GridSignalParser.OperatingEnvelopeType);
        var envelope = new { siteId = "env-home", importLimitKw = 7.0, exportLimitKw = 3.5, validFrom = Iso(Now), validUntil = Iso(Now + Duration.FromHours(2)) };
        var dispatch = new { requestId, region = "DE-N", startsAt = Iso(Now + Duration.FromMinutes(5)), endsAt = Iso(Now + Duration.FromMinutes(35)), powerKw = 250.0, priority = 3 };

        await kafka.ProduceAsync(KafkaTopics.GridSignals, "DE-N", new { ts = Iso(Now), hz = 49.93 }, KafkaTestClient.Ce(GridSignalParser.FrequencyType));
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "DE-N", dispatch, KafkaTestClient.Ce(GridSignalParser.DispatchRequestType));
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "DE-N", dispatch, KafkaTestClient.Ce(GridSignalParser.DispatchRequestType)); // retried by the utility
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "DE-N", envelope, envelopeCe);
        await kafka.ProduceAsync(KafkaTopics.GridSignals, "DE-N", envelope, envelopeCe); // redelivered

        var frequency = await Eventually.Until(() => grains.GetGrain<IGridRegionGrain>("DE-N").GetFrequency(), f => f is not null);
        frequency!.Hz.Should().Be(49.93);
        var request = await Eventually.Until(() => grains.GetGrain<IDispatchGrain>(requestId).Get(), r => r is not null);
        request!.PowerKw.Should().Be(250);
        var envelopes = await Eventually.Until(() => grains.GetGrain<ISiteGrain>("env-home").GetOperatingEnvelopes(), e => e.Count > 0);
        envelopes.Should().ContainSingle().Which.ExportLimitKw.Should().Be(3.5);

        // The repeats handled too: the group's commit follows each batch's effects.
        await kafka.WaitForCommittedAsync(new KafkaOptions().ConsumerGroup(GridSignalConsumer.Group), KafkaTopics.GridSignals, new KafkaOptions().Topics[KafkaTopics.GridSignals].Partitions);
        var store = host.Service<IEventStore>();
        // Recorded once and decided once (no sites in DE-N: rejected), however often it was delivered.
        (await store.ReadAsync(StreamKeys.Dispatch(requestId), 0)).Events.Select(e => e.GetType())
            .Should().Equal(typeof(DispatchRequested), typeof(DispatchRejected));
        (await store.ReadAsync(StreamKeys.Site("env-home"), 0)).Events.OfType<OperatingEnvelopeSet>().Should().ContainSingle();
        (await grains.GetGrain<ISiteGrain>("env-home").GetOperatingEnvelopes()).Should().ContainSingle();
    }

    public static TheoryData<string, string, string?, string> BadMessages => new()
    {
        // topic, key, value (null = not JSON bytes), expected vpp_dlq_code; headers: see the test
        { KafkaTopics.Telemetry, "kbad-bat", "{\"type\":\"telemetry\",\"deviceId\":\"kbad-bat\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":NaN,\"socPct\":50}", "non_finite_number" },
        { KafkaTopics.Telemetry, "kbad-bat", "{\"type\":\"telemetry\",\"deviceId\":\"kbad-bat\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":1,\"socPct\":150}", "soc_out_of_range" },
        { KafkaTopics.Telemetry, "kbad-bat", "{\"type\":\"telemetry\",\"deviceId\":\"kbad-bat\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":99,\"socPct\":50}", "power_out_of_range" },
        { KafkaTopics.Telemetry, "someone-else", "{\"type\":\"telemetry\",\"deviceId\":\"kbad-bat\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":1,\"socPct\":50}", "device_id_mismatch" },
        { KafkaTopics.Telemetry, "ghost", "{\"type\":\"telemetry\",\"deviceId\":\"ghost\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":1,\"socPct\":50}", "unknown_device" },
        { KafkaTopics.Telemetry, "kbad-bat", null, "invalid_field" },
        { KafkaTopics.Telemetry, "kbad-bat", "{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"NOW\",\"powerKw\":1,\"socPct\":50}", "invalid_field" },
        { KafkaTopics.Telemetry, "kbad-bat", "{\"type\":\"telemetry\",\"deviceId\":7,\"seq\":1,\"ts\":\"NOW\",\"powerKw\":1,\"socPct\":50}", "invalid_field" },
        { KafkaTopics.Telemetry, "kbad-bat", "NOHEADERS", "invalid_headers" },
        { KafkaTopics.GridSignals, "DE-S", "{\"ts\":\"NOW\",\"hz\":500}", "invalid_field" },
        { KafkaTopics.GridSignals, "DE-S", "not json", "invalid_json" },
        { KafkaTopics.GridSignals, "DE-S", "{\"requestId\":\"r1\",\"region\":\"DE-N\",\"startsAt\":\"NOW\",\"endsAt\":\"LATER\",\"powerKw\":5,\"priority\":1}", "invalid_field" },
        { KafkaTopics.GridSignals, "DE-S", "{\"siteId\":\"nobody\",\"importLimitKw\":1,\"exportLimitKw\":1,\"validFrom\":\"NOW\",\"validUntil\":\"LATER\"}", "unknown_site" },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task A_bad_message_goes_to_the_dead_letter_topic_with_its_reason_and_the_consumer_goes_on(string topic, string key, string? value, string code)
    {
        await host.RegisterHomeAsync("kbad-" + Guid.NewGuid().ToString("N")[..6]);
        if (!(await host.Api().GetAsync("/api/devices/kbad-bat")).IsSuccessStatusCode) await RegisterBattery("kbad");
        using var kafka = Client();
        var marker = Guid.NewGuid().ToString("N");
        var ceType = topic == KafkaTopics.Telemetry ? "vpp.telemetry.v1"
            : value?.Contains("requestId") == true ? GridSignalParser.DispatchRequestType
            : value?.Contains("siteId") == true ? GridSignalParser.OperatingEnvelopeType
            : GridSignalParser.FrequencyType;
        var ce = KafkaTestClient.Ce(ceType, marker);
        var bytes = value switch
        {
            null => [0xff, 0xfe, 0x00],
            "NOHEADERS" => Encoding.UTF8.GetBytes("{}"),
            _ => Encoding.UTF8.GetBytes(value.Replace("NOW", Iso(Now)).Replace("LATER", Iso(Now + Duration.FromHours(1)))),
        };
        await kafka.ProduceRawAsync(topic, key, bytes, value == "NOHEADERS" ? null : ce.ToHeaders());

        var dead = kafka.ReadAll(KafkaTopics.DeadLetter, seen => seen.Any(r => KafkaTestClient.Header(r, "ce_id") == marker || (value == "NOHEADERS" && KafkaTestClient.Header(r, "vpp_dlq_code") == "invalid_headers" && r.Message.Key == key)));
        var letter = value == "NOHEADERS"
            ? dead.Last(r => KafkaTestClient.Header(r, "vpp_dlq_code") == "invalid_headers")
            : dead.Single(r => KafkaTestClient.Header(r, "ce_id") == marker);
        KafkaTestClient.Header(letter, "vpp_dlq_code").Should().Be(code);
        KafkaTestClient.Header(letter, "vpp_dlq_reason").Should().NotBeNullOrWhiteSpace();
        KafkaTestClient.Header(letter, "vpp_dlq_topic").Should().Be(topic);
        long.Parse(KafkaTestClient.Header(letter, "vpp_dlq_offset")).Should().BeGreaterThanOrEqualTo(0);
        int.Parse(KafkaTestClient.Header(letter, "vpp_dlq_partition")).Should().BeGreaterThanOrEqualTo(0);
        letter.Message.Value.Should().Equal(bytes, "the original message is kept unchanged");
        letter.Message.Key.Should().Be(key, "the refused message's own key");
        if (value != "NOHEADERS")
        {
            // The original CloudEvents headers travel with it.
            KafkaTestClient.Header(letter, "ce_type").Should().Be(ceType);
            KafkaTestClient.Header(letter, "ce_source").Should().Be("urn:test");
            KafkaTestClient.Header(letter, "ce_specversion").Should().Be("1.0");
        }

        // The consumer keeps going: a good frequency reading after the bad message is applied.
        var region = "ok-" + marker[..6];
        await kafka.ProduceAsync(KafkaTopics.GridSignals, region, new { ts = Iso(Now), hz = 50.01 }, KafkaTestClient.Ce(GridSignalParser.FrequencyType));
        (await Eventually.Until(() => host.Service<IGrainFactory>().GetGrain<IGridRegionGrain>(region).GetFrequency(), f => f is not null))
            .Should().NotBeNull();
    }

    private async Task RegisterBattery(string site)
    {
        using var api = host.Api();
        await api.PostAsJsonAsync("/api/sites", new { siteId = site, name = "Home", timeZone = "Europe/Berlin", backupReservePct = 20 });
        await api.PostAsJsonAsync($"/api/sites/{site}/devices", new { deviceId = site + "-bat", kind = "battery",
            battery = new { capacityKwh = 10, maxChargeKw = 5, maxDischargeKw = 5, roundTripEfficiency = 0.9 } });
    }
}
