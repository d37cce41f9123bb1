using System.Text;
using NodaTime;
using Vpp.Protocol.GridSignals;

namespace Vpp.Protocol.Tests;

/// <summary>The grid-signals topic's rules as docs/kafka-topics.md states them.</summary>
public class GridSignalParserTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 23, 12, 0);

    private static GridSignalParser.Result Parse(string type, string json, string? key = null) =>
        GridSignalParser.Parse(type, Encoding.UTF8.GetBytes(json), key, Now);

    private static string Dispatch(string startsAt = "2026-11-23T13:00:00Z", string endsAt = "2026-11-23T14:00:00Z", string priority = "3",
        string powerKw = "250", string requestId = "\"req-1\"") =>
        $$"""{"requestId":{{requestId}},"region":"DE-N","startsAt":"{{startsAt}}","endsAt":"{{endsAt}}","powerKw":{{powerKw}}{{(priority.Length > 0 ? $",\"priority\":{priority}" : "")}}}""";

    [Fact]
    public void A_dispatch_request_parses_into_its_fields()
    {
        var r = Parse(GridSignalParser.DispatchRequestType, Dispatch(), key: "DE-N");
        r.Error.Should().BeNull();
        r.Signal.Should().Be(new DispatchRequestSignal("req-1", "DE-N", Instant.FromUtc(2026, 11, 23, 13, 0), Instant.FromUtc(2026, 11, 23, 14, 0), 250, 3));
    }

    [Fact]
    public void A_dispatch_may_last_exactly_24_hours_and_not_a_second_more()
    {
        Parse(GridSignalParser.DispatchRequestType, Dispatch(endsAt: "2026-11-24T13:00:00Z")).Ok.Should().BeTrue();
        var longer = Parse(GridSignalParser.DispatchRequestType, Dispatch(endsAt: "2026-11-24T13:00:01Z"));
        longer.ErrorCode.Should().Be(ProtocolErrors.InvalidField);
        longer.Error.Should().Contain("at most 24 hours");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    public void Priority_0_to_9_is_accepted(string priority) =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(priority: priority)).Signal.Should().BeOfType<DispatchRequestSignal>()
            .Which.Priority.Should().Be(int.Parse(priority));

    [Theory]
    [InlineData("-1")]
    [InlineData("10")]
    [InlineData("1.5")]
    [InlineData("\"3\"")]
    [InlineData("")]
    public void Priority_outside_0_to_9_or_not_an_integer_is_refused(string priority)
    {
        var r = Parse(GridSignalParser.DispatchRequestType, Dispatch(priority: priority));
        r.ErrorCode.Should().Be(ProtocolErrors.InvalidField);
        r.Error.Should().Contain("priority");
    }

    [Theory]
    [InlineData("2026-11-23T14:00:00Z", "2026-11-23T14:00:00Z", "endsAt must be after startsAt")]
    [InlineData("2026-11-23T10:00:00Z", "2026-11-23T12:00:00Z", "endsAt is in the past")]
    [InlineData("2026-11-23 13:00", "2026-11-23T14:00:00Z", "startsAt")]
    public void A_dispatch_window_that_is_empty_past_or_not_an_instant_is_refused(string startsAt, string endsAt, string reason) =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(startsAt, endsAt)).Error.Should().Contain(reason);

    [Theory]
    [InlineData("0", ProtocolErrors.PowerOutOfRange)]
    [InlineData("1000001", ProtocolErrors.PowerOutOfRange)]
    [InlineData("\"NaN\"", ProtocolErrors.NonFiniteNumber)]
    [InlineData("\"250\"", ProtocolErrors.InvalidField)]
    public void Dispatch_power_must_be_a_finite_non_zero_number_within_a_gigawatt(string powerKw, string code) =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(powerKw: powerKw)).ErrorCode.Should().Be(code);

    [Fact]
    public void A_dispatch_of_minus_a_gigawatt_is_at_the_limit_and_accepted() =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(powerKw: "-1000000")).Ok.Should().BeTrue();

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"has space\"")]
    [InlineData("42")]
    public void Request_ids_outside_the_documented_characters_are_refused(string requestId) =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(requestId: requestId)).Error.Should().Contain("requestId");

    [Fact]
    public void Request_ids_may_be_128_characters_and_not_129()
    {
        Parse(GridSignalParser.DispatchRequestType, Dispatch(requestId: $"\"{new string('a', 128)}\"")).Ok.Should().BeTrue();
        Parse(GridSignalParser.DispatchRequestType, Dispatch(requestId: $"\"{new string('a', 129)}\"")).ErrorCode.Should().Be(ProtocolErrors.InvalidField);
    }

    [Fact]
    public void The_message_key_of_a_dispatch_must_be_its_region() =>
        Parse(GridSignalParser.DispatchRequestType, Dispatch(), key: "DE-S").Error.Should().Contain("must be the region 'DE-N'");

    [Fact]
    public void A_frequency_reading_parses_and_is_bounded_to_40_70_hz_and_5_minutes_ahead()
    {
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:00:00Z","hz":49.93}""").Signal
            .Should().Be(new FrequencySignal(Now, 49.93));
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:00:00Z","hz":40}""").Ok.Should().BeTrue();
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:00:00Z","hz":70}""").Ok.Should().BeTrue();
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:00:00Z","hz":39.99}""").ErrorCode.Should().Be(ProtocolErrors.InvalidField);
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:00:00Z","hz":70.01}""").ErrorCode.Should().Be(ProtocolErrors.InvalidField);
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:05:00Z","hz":50}""").Ok.Should().BeTrue();
        Parse(GridSignalParser.FrequencyType, """{"ts":"2026-11-23T12:05:01Z","hz":50}""").ErrorCode.Should().Be(ProtocolErrors.TimestampInFuture);
    }

    [Fact]
    public void An_operating_envelope_parses_and_refuses_negative_limits_and_empty_or_past_windows()
    {
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":7,"exportLimitKw":0,"validFrom":"2026-11-23T12:00:00Z","validUntil":"2026-11-23T14:00:00Z"}""")
            .Signal.Should().Be(new OperatingEnvelopeSignal("h-1", 7, 0, Now, Instant.FromUtc(2026, 11, 23, 14, 0)));
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":-1,"exportLimitKw":0,"validFrom":"2026-11-23T12:00:00Z","validUntil":"2026-11-23T14:00:00Z"}""")
            .ErrorCode.Should().Be(ProtocolErrors.PowerOutOfRange);
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":7,"exportLimitKw":3,"validFrom":"2026-11-23T14:00:00Z","validUntil":"2026-11-23T14:00:00Z"}""")
            .Error.Should().Contain("validUntil must be after validFrom");
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":7,"exportLimitKw":3,"validFrom":"2026-11-23T10:00:00Z","validUntil":"2026-11-23T11:00:00Z"}""")
            .Error.Should().Contain("validUntil is in the past");
    }

    [Theory]
    [InlineData(GridSignalParser.DispatchRequestType, """{"requestId":"\ud800","region":"r","startsAt":"2026-11-23T13:00:00Z","endsAt":"2026-11-23T14:00:00Z","powerKw":5,"priority":3}""")]
    [InlineData(GridSignalParser.FrequencyType, """{"ts":"\udc00","hz":50}""")]
    [InlineData(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1\ud800","importLimitKw":7,"exportLimitKw":0,"validFrom":"2026-11-23T12:00:00Z","validUntil":"2026-11-23T14:00:00Z"}""")]
    public void A_string_that_is_not_valid_text_is_refused_not_thrown(string type, string json) =>
        Parse(type, json).ErrorCode.Should().Be(ProtocolErrors.InvalidJson);

    [Fact]
    public void An_operating_envelope_ends_at_most_seven_days_ahead()
    {
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":7,"exportLimitKw":0,"validFrom":"2026-11-23T12:00:00Z","validUntil":"2026-11-30T12:00:00Z"}""")
            .Ok.Should().BeTrue("exactly seven days");
        Parse(GridSignalParser.OperatingEnvelopeType, """{"siteId":"h-1","importLimitKw":7,"exportLimitKw":0,"validFrom":"2026-11-23T12:00:00Z","validUntil":"2126-11-23T12:00:00Z"}""")
            .Error.Should().Contain("more than 7 days ahead");
    }

    [Fact]
    public void Messages_that_are_not_one_json_object_of_a_known_type_or_too_large_are_refused()
    {
        Parse("vpp.grid.unknown.v1", "{}").ErrorCode.Should().Be(ProtocolErrors.UnknownType);
        Parse(GridSignalParser.FrequencyType, "[1]").ErrorCode.Should().Be(ProtocolErrors.InvalidJson);
        Parse(GridSignalParser.FrequencyType, "{").ErrorCode.Should().Be(ProtocolErrors.InvalidJson);
        var large = $$"""{"ts":"2026-11-23T12:00:00Z","hz":50,"pad":"{{new string('x', GridSignalParser.MaxBytes)}}"}""";
        Parse(GridSignalParser.FrequencyType, large).ErrorCode.Should().Be(ProtocolErrors.FrameTooLarge);
    }
}
