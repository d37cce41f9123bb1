using System.Globalization;
using System.Text;
using NodaTime;

namespace Vpp.Protocol.Tests;

public class DeviceMessageParserTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly DeviceProfile Battery = new("bat-1", DeviceKind.Battery, 5);
    private static readonly DeviceProfile Solar = new("pv-1", DeviceKind.Solar, 8);
    private static readonly DeviceProfile Meter = new("m-1", DeviceKind.Meter, 0);

    private static ParseResult Parse(string json, DeviceProfile? device = null) =>
        DeviceMessageParser.Parse(Encoding.UTF8.GetBytes(json), device ?? Battery, Now);

    [Fact]
    public void Battery_telemetry_parses()
    {
        var r = Parse("""{"type":"telemetry","seq":7,"ts":"2026-11-23T11:59:59Z","powerKw":-2.5,"socPct":41.5}""");
        r.Error.Should().BeNull();
        r.Message.Should().Be(new TelemetryMessage(7, Instant.FromUtc(2026, 11, 23, 11, 59, 59), -2.5, 41.5, null, null, null));
    }

    [Fact]
    public void An_escaped_timestamp_is_read_like_a_plain_one()
    {
        var r = Parse("""{"type":"telemetry","seq":7,"ts":"2026-11-23T11:59:59\u005A","powerKw":1,"socPct":40}""");
        r.Message.Should().BeOfType<TelemetryMessage>().Which.Ts.Should().Be(Instant.FromUtc(2026, 11, 23, 11, 59, 59));
        Parse("""{"type":"telemetry","seq":7,"ts":"2026-11-23T11:59:59\u002B01:00","powerKw":1,"socPct":40}""").Error!.Code.Should().Be(ProtocolErrors.InvalidField);
    }

    [Fact]
    public void Solar_and_meter_telemetry_parse_with_their_fields()
    {
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","powerKw":3,"availableKw":3.4}""", Solar).IsOk.Should().BeTrue();
        var m = Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","gridKw":-1.2,"loadKw":0.8}""", Meter);
        m.Message.Should().BeOfType<TelemetryMessage>().Which.GridKw.Should().Be(-1.2);
    }

    [Fact]
    public void Hello_and_ack_parse()
    {
        Parse("""{"type":"hello","deviceId":"bat-1","firmware":"1.2"}""").Message.Should().Be(new HelloMessage("bat-1", "1.2"));
        Parse("""{"type":"ack","commandId":"c1","status":"rejected","reason":"busy"}""").Message
            .Should().Be(new AckMessage("c1", AckStatus.Rejected, "busy"));
    }

    [Fact]
    public void Unknown_fields_are_ignored_for_forward_compatibility() =>
        Parse("""{"type":"hello","deviceId":"bat-1","extra":{"nested":[1,2]}}""").IsOk.Should().BeTrue();

    [Theory]
    [InlineData("not json", ProtocolErrors.InvalidJson)]
    [InlineData("[1,2]", ProtocolErrors.InvalidJson)]
    [InlineData("{\"type\":\"telemetry\"", ProtocolErrors.InvalidJson)]
    [InlineData("{\"type\":\"hello\",\"deviceId\":\"bat-1\"} {}", ProtocolErrors.InvalidJson)]
    [InlineData("{\"seq\":1}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"reboot\"}", ProtocolErrors.UnknownType)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":\"7\",\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":-1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"yesterday\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":\"1\",\"socPct\":50}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1}", ProtocolErrors.InvalidField)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":NaN,\"socPct\":50}", ProtocolErrors.NonFiniteNumber)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":\"Infinity\",\"socPct\":50}", ProtocolErrors.NonFiniteNumber)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1e999,\"socPct\":50}", ProtocolErrors.NonFiniteNumber)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1,\"socPct\":100.5}", ProtocolErrors.SocOutOfRange)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":1,\"socPct\":-0.1}", ProtocolErrors.SocOutOfRange)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":7.51,\"socPct\":50}", ProtocolErrors.PowerOutOfRange)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:00:00Z\",\"powerKw\":-7.51,\"socPct\":50}", ProtocolErrors.PowerOutOfRange)]
    [InlineData("{\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-23T12:06:00Z\",\"powerKw\":1,\"socPct\":50}", ProtocolErrors.TimestampInFuture)]
    [InlineData("{\"type\":\"hello\",\"deviceId\":\"someone-else\"}", ProtocolErrors.DeviceIdMismatch)]
    [InlineData("{\"type\":\"ack\",\"commandId\":\"c1\",\"status\":\"done\"}", ProtocolErrors.InvalidField)]
    public void Bad_frames_get_their_documented_code(string json, string code)
    {
        var r = Parse(json);
        r.Message.Should().BeNull();
        r.Error!.Code.Should().Be(code);
        ProtocolErrors.All.Should().Contain(code);
    }

    [Fact]
    public void Power_at_exactly_one_and_a_half_times_rating_is_accepted() =>
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","powerKw":7.5,"socPct":50}""").IsOk.Should().BeTrue();

    [Fact]
    public void Solar_available_power_beyond_rating_is_refused() =>
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","powerKw":1,"availableKw":12.1}""", Solar).Error!.Code
            .Should().Be(ProtocolErrors.PowerOutOfRange);

    [Fact]
    public void Ids_may_be_128_characters_and_not_129()
    {
        Parse($$"""{"type":"ack","commandId":"{{new string('c', 128)}}","status":"accepted"}""").IsOk.Should().BeTrue();
        var ack = Parse($$"""{"type":"ack","commandId":"{{new string('c', 129)}}","status":"accepted"}""");
        ack.Error!.Code.Should().Be(ProtocolErrors.InvalidField);
        ack.Error.Message.Should().Contain("commandId").And.Contain("128");
        Parse($$"""{"type":"hello","deviceId":"{{new string('d', 129)}}"}""").Error!.Code.Should().Be(ProtocolErrors.InvalidField);
    }

    [Fact]
    public void An_ack_reason_is_kept_but_cut_to_256_characters()
    {
        // Ids are refused past 128 characters; a reason is free text, so a long one is cut rather than losing the ack.
        var ack = (AckMessage)Parse($$"""{"type":"ack","commandId":"c1","status":"rejected","reason":"{{new string('r', 300)}}"}""").Message!;
        ack.Reason.Should().HaveLength(DeviceMessageParser.MaxReasonLength);
        ((AckMessage)Parse("""{"type":"ack","commandId":"c1","status":"rejected","reason":"busy"}""").Message!).Reason.Should().Be("busy");
    }

    [Fact]
    public void Negative_available_or_load_power_is_refused_and_zero_is_not()
    {
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","powerKw":1,"availableKw":-0.1}""", Solar).Error!.Code
            .Should().Be(ProtocolErrors.PowerOutOfRange);
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","powerKw":1,"availableKw":0}""", Solar).IsOk.Should().BeTrue();
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","gridKw":0.5,"loadKw":-0.1}""", Meter).Error!.Code
            .Should().Be(ProtocolErrors.PowerOutOfRange);
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","gridKw":0.5,"loadKw":0}""", Meter).IsOk.Should().BeTrue();
    }

    [Theory]
    // A home's connection is rated DeviceProfile.MeterRatingKw (100 kW); readings beyond 1.5 × that are not physics.
    [InlineData("gridKw", 1.7e308)]
    [InlineData("gridKw", -150.001)]
    [InlineData("loadKw", 150.001)]
    [InlineData("powerKw", -1e6)]
    public void A_meter_reading_beyond_its_connection_is_refused_naming_the_field(string field, double kw)
    {
        var fields = new Dictionary<string, double> { ["gridKw"] = 1, ["loadKw"] = 1, ["powerKw"] = 0 };
        fields[field] = kw;
        var frame = $$"""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","gridKw":{{fields["gridKw"].ToString("R", CultureInfo.InvariantCulture)}},"loadKw":{{fields["loadKw"].ToString("R", CultureInfo.InvariantCulture)}},"powerKw":{{fields["powerKw"].ToString("R", CultureInfo.InvariantCulture)}}}""";
        var error = Parse(frame, Meter).Error!;
        error.Code.Should().Be(ProtocolErrors.PowerOutOfRange);
        error.Message.Should().Contain(field);
    }

    [Theory]
    [InlineData("""{"type":"hello","deviceId":"\ud800"}""")]
    [InlineData("""{"type":"ack","commandId":"c1","status":"accepted","reason":"\udc00 broken"}""")]
    [InlineData("""{"type":"telemetry","seq":1,"ts":"\ud800","powerKw":1,"socPct":50}""")]
    public void A_string_that_is_not_valid_text_is_refused_not_thrown(string frame) =>
        Parse(frame).Error!.Code.Should().Be(ProtocolErrors.InvalidJson);

    [Fact]
    public void An_error_quoting_a_type_cut_inside_a_surrogate_pair_can_still_be_written()
    {
        // 39 letters and an emoji: cutting at 40 characters used to leave half the pair, which the JSON writer refuses.
        var error = Parse($$"""{"type":"{{new string('a', 39)}}😀 and more"}""").Error!;
        error.Code.Should().Be(ProtocolErrors.UnknownType);
        var written = () => MessageWriter.Write(new ErrorMessage(error.Code, error.Message));
        written.Should().NotThrow();
        MessageWriter.Write(new ErrorMessage("x", "half a pair \ud83d here")).Should().NotBeEmpty("an unpaired surrogate is replaced, not thrown");
    }

    [Fact]
    public void A_meter_reading_at_its_connections_bound_is_accepted() =>
        Parse("""{"type":"telemetry","seq":1,"ts":"2026-11-23T12:00:00Z","gridKw":-150,"loadKw":150,"powerKw":150}""", Meter).IsOk.Should().BeTrue();

    [Fact]
    public void Oversized_frames_are_refused_before_parsing()
    {
        var big = "{\"type\":\"hello\",\"deviceId\":\"bat-1\",\"pad\":\"" + new string('x', DeviceMessageParser.MaxFrameBytes) + "\"}";
        Parse(big).Error!.Code.Should().Be(ProtocolErrors.FrameTooLarge);
    }

    [Fact]
    public void Writer_output_round_trips_through_the_parser()
    {
        var t = new TelemetryMessage(3, Instant.FromUtc(2026, 11, 23, 11, 0), 1.25, 60, null, null, null);
        DeviceMessageParser.Parse(MessageWriter.Write(t), Battery, Now).Message.Should().Be(t);

        var sp = new SetpointMessage("c9", -2, Now, "test", 20);
        ServerMessageParser.Parse(MessageWriter.Write(sp)).Should().Be(sp);
    }
}
