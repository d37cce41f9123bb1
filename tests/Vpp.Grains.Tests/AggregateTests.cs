using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Grains.Devices;
using Vpp.Grains.Sites;
using Vpp.Persistence.Events;
using Vpp.Protocol;

namespace Vpp.Grains.Tests;

/// <summary>The decisions of the event-sourced aggregates, without grains or stores.</summary>
public class AggregateTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 12, 0);

    private static DeviceAggregate Battery()
    {
        var a = new DeviceAggregate();
        foreach (var e in a.Register(new DeviceRegistration("b", "s", DeviceKind.Battery, new BatteryRatings(10, 5, 5, 0.9), null, T0), "h1")) a.Apply(e);
        return a;
    }

    private static void Apply(DeviceAggregate a, IEnumerable<object> events)
    {
        foreach (var e in events) a.Apply(e);
    }

    [Fact]
    public void A_new_setpoint_supersedes_the_open_one_and_times_out_the_overdue_one()
    {
        var a = Battery();
        Apply(a, a.Issue("c1", -2, T0 + Duration.FromMinutes(1), "r", 20, T0));
        Apply(a, a.Issue("c2", 1, T0 + Duration.FromMinutes(30), "r", 20, T0 + Duration.FromSeconds(10)));
        var events = a.Issue("c3", 3, T0 + Duration.FromHours(1), "r", 20, T0 + Duration.FromMinutes(2));
        events.Select(e => e.GetType().Name).Should().Equal("SetpointSuperseded", "SetpointIssued");
        Apply(a, events);
        a.Commands.Select(c => c.Status).Should().Equal(CommandStatus.Superseded, CommandStatus.Superseded, CommandStatus.Pending);

        var expiry = a.Expire(T0 + Duration.FromHours(2));
        expiry.Should().ContainSingle().Which.Should().BeOfType<SetpointTimedOut>().Which.CommandId.Should().Be("c3");
    }

    [Fact]
    public void Acks_are_idempotent_and_terminal_states_stay_terminal()
    {
        var a = Battery();
        Apply(a, a.Issue("c1", -2, T0 + Duration.FromMinutes(15), "r", 20, T0));
        var (first, e1) = a.Acknowledge("c1", AckStatus.Accepted, null, T0);
        first.Should().Be(AckOutcome.Recorded);
        Apply(a, e1);
        var (again, none) = a.Acknowledge("c1", AckStatus.Accepted, null, T0);
        again.Should().Be(AckOutcome.Duplicate);
        none.Should().BeEmpty();
        var (done, e2) = a.Acknowledge("c1", AckStatus.Completed, null, T0);
        done.Should().Be(AckOutcome.Recorded);
        Apply(a, e2);
        a.Acknowledge("c1", AckStatus.Rejected, "late", T0).Outcome.Should().Be(AckOutcome.Duplicate);
        a.Acknowledge("nope", AckStatus.Accepted, null, T0).Outcome.Should().Be(AckOutcome.UnknownCommand);
    }

    [Fact]
    public void An_ack_after_validUntil_records_the_timeout_not_the_ack()
    {
        var a = Battery();
        Apply(a, a.Issue("c1", -2, T0 + Duration.FromMinutes(1), "r", 20, T0));
        var (outcome, events) = a.Acknowledge("c1", AckStatus.Completed, null, T0 + Duration.FromMinutes(5));
        outcome.Should().Be(AckOutcome.Duplicate);
        events.Should().ContainSingle().Which.Should().BeOfType<SetpointTimedOut>();
    }

    [Fact]
    public void The_command_log_in_the_twin_is_bounded()
    {
        var a = Battery();
        for (var i = 0; i < DeviceAggregate.CommandLogLength + 50; i++)
            Apply(a, a.Issue("c" + i, 1, T0 + Duration.FromHours(1), "r", 20, T0 + Duration.FromSeconds(i)));
        a.Commands.Should().HaveCount(DeviceAggregate.CommandLogLength);
        a.Commands[^1].CommandId.Should().Be("c249");
    }

    [Fact]
    public void Tokens_rotate_and_revoke_once()
    {
        var a = Battery();
        Apply(a, a.SetToken("h2", T0));
        a.TokenHash.Should().Be("h2");
        Apply(a, a.SetToken(null, T0));
        a.TokenHash.Should().BeNull();
        a.SetToken(null, T0).Should().BeEmpty("revoking a revoked token records nothing");
        a.Register(new DeviceRegistration("b", "s", DeviceKind.Solar, null, 3, T0), "x").Should().BeEmpty("the id is taken");
    }

    [Fact]
    public void Site_settings_validate_and_record_only_changes()
    {
        var s = new SiteAggregate();
        var act = () => s.ChangePreferences(30, true, "t", T0);
        act.Should().Throw<InvalidOperationException>("the site is not registered");
        foreach (var e in s.Register(new SiteRegistration("s", "Home", "Europe/Berlin", 20, null, null, T0))) s.Apply(e);
        s.ChangePreferences(20, true, "t", T0).Should().BeEmpty("nothing changed");
        var nan = () => s.ChangePreferences(double.NaN, true, "t", T0);
        nan.Should().Throw<ArgumentOutOfRangeException>();
        var past = () => s.SetOverride(T0 - Duration.FromMinutes(1), "x", "t", T0);
        past.Should().Throw<ArgumentOutOfRangeException>();
        foreach (var e in s.SetOverride(T0 + Duration.FromHours(1), "guests", "t", T0)) s.Apply(e);
        s.Settings.OverrideActiveAt(T0).Should().BeTrue();
        s.Settings.OverrideActiveAt(T0 + Duration.FromHours(2)).Should().BeFalse();
        foreach (var e in s.ClearOverride("t", T0)) s.Apply(e);
        s.ClearOverride("t", T0).Should().BeEmpty();
    }

    [Fact]
    public void A_request_id_reused_for_a_different_request_is_a_conflict_and_records_nothing()
    {
        var a = new Vpp.Grains.Grid.DispatchAggregate();
        var request = new Vpp.Contracts.Grid.DispatchRequest("r1", "DE-N", T0 + Duration.FromMinutes(5), T0 + Duration.FromMinutes(35), 250, 3);
        var (outcome, events) = a.Decide(request, "ce-1", T0);
        outcome.Should().Be(Vpp.Contracts.Grid.DispatchRequestOutcome.Recorded);
        events.Should().ContainSingle().Which.Should().BeOfType<DispatchRequested>().Which.SourceEventId.Should().Be("ce-1");
        foreach (var e in events) a.Apply(e);

        var retry = a.Decide(request, "ce-2", T0);
        retry.Outcome.Should().Be(Vpp.Contracts.Grid.DispatchRequestOutcome.Duplicate, "a retry of the same request");
        retry.Events.Should().BeEmpty();
        var conflict = a.Decide(request with { PowerKw = 300 }, "ce-3", T0);
        conflict.Outcome.Should().Be(Vpp.Contracts.Grid.DispatchRequestOutcome.ConflictingId);
        conflict.Events.Should().BeEmpty();
        a.Decide(request with { Priority = 4 }, "ce-4", T0).Outcome.Should().Be(Vpp.Contracts.Grid.DispatchRequestOutcome.ConflictingId);
    }

    [Theory]
    // wrong passwords in a row, minutes locked
    [InlineData(4, 0)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(8, 8)]
    [InlineData(11, 60)]    // 64 minutes, held to the hour
    [InlineData(1000, 60)]
    public void Wrong_passwords_lock_an_account_for_a_doubling_time_up_to_an_hour(int failures, int minutes) =>
        Vpp.Grains.Accounts.SignInLockout.LockAfter(failures).Should().Be(Duration.FromMinutes(minutes));

    [Fact]
    public void A_site_holds_a_bounded_number_of_envelopes_in_force_and_expired_ones_make_room()
    {
        var s = new SiteAggregate();
        foreach (var e in s.Register(new SiteRegistration("s", "Home", "Europe/Berlin", 20, null, null, T0))) s.Apply(e);
        for (var i = 0; i < SiteAggregate.MaxEnvelopes; i++)
            foreach (var e in s.SetEnvelope(5, 5, T0, T0 + Duration.FromMinutes(5 * (i + 1)), $"env-{i}", T0)) s.Apply(e);

        var more = () => s.SetEnvelope(5, 5, T0, T0 + Duration.FromDays(1), "env-more", T0);
        more.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*already holds 2016 envelopes*");
        // Five minutes later the first has expired: room for one more.
        s.SetEnvelope(5, 5, T0, T0 + Duration.FromDays(1), "env-more", T0 + Duration.FromMinutes(5)).Should().ContainSingle();
    }

    [Fact]
    public void A_home_credits_a_settlement_once_however_often_it_is_delivered()
    {
        var s = new SiteAggregate();
        foreach (var e in s.Register(new SiteRegistration("s", "Home", "Europe/Berlin", 20, null, null, T0))) s.Apply(e);
        var first = s.CreditEarnings("set-1", "day-ahead", T0, T0 + Duration.FromMinutes(15), 1.25, 0.31, T0);
        first.Should().ContainSingle().Which.Should().BeOfType<EarningsCredited>().Which.Eur.Should().Be(0.31);
        foreach (var e in first) s.Apply(e);

        s.CreditEarnings("set-1", "day-ahead", T0, T0 + Duration.FromMinutes(15), 1.25, 0.31, T0).Should().BeEmpty("already credited");
        s.CreditEarnings("set-2", "day-ahead", T0, T0 + Duration.FromMinutes(15), 1.25, 0.31, T0).Should().ContainSingle("another settlement");
        var nan = () => s.CreditEarnings("set-3", "day-ahead", T0, T0, double.NaN, 0, T0);
        nan.Should().Throw<ArgumentOutOfRangeException>();
    }
}
