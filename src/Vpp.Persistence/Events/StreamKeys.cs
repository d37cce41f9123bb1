using NodaTime;

namespace Vpp.Persistence.Events;

/// <summary>Every VPP event records when its decision was made.</summary>
public interface IVppEvent
{
    Instant At { get; }
}

/// <summary>One stream per aggregate. Keys are strings so they read well in the database.</summary>
public static class StreamKeys
{
    public static string Site(string siteId) => "site:" + siteId;
    public static string Device(string deviceId) => "device:" + deviceId;
    public static string Dispatch(string requestId) => "dispatch:" + requestId;
    public static string Region(string region) => "region:" + region;
    public static string Homeowner(string username) => "homeowner:" + username;
    public static string MarketDay(string market, string region, string day) => $"market:{market}:{region}:{day}";
}

public static class EventTypes
{
    /// <summary>Every event type, for stores that register them up front (Marten).</summary>
    public static readonly IReadOnlyList<Type> All =
    [
        typeof(SiteRegistered), typeof(DeviceAddedToSite), typeof(PreferencesChanged),
        typeof(ManualOverrideSet), typeof(ManualOverrideCleared),
        typeof(DeviceRegistered), typeof(DeviceTokenRotated), typeof(DeviceTokenRevoked),
        typeof(SetpointIssued), typeof(SetpointAcknowledged), typeof(SetpointRejected),
        typeof(SetpointTimedOut), typeof(SetpointSuperseded),
        typeof(OperatingEnvelopeSet), typeof(DispatchOptedOut), typeof(DroopAssigned),
        typeof(FrequencyResponseCommitted), typeof(FrequencyResponseActivated), typeof(RegionBaselineRecorded),
        typeof(DispatchRequested), typeof(DispatchAccepted), typeof(DispatchRejected), typeof(DispatchBaselinesRecorded), typeof(DispatchStarted),
        typeof(DispatchReallocated), typeof(DispatchDeliveryReported), typeof(DispatchCompleted), typeof(DispatchCancelled),
        typeof(HomeownerAccountCreated), typeof(HomeownerPasswordChanged), typeof(HomeownerAccountDisabled), typeof(HomeownerAccountEnabled), typeof(EarningsCredited),
        typeof(ScheduleBuilt), typeof(BidSubmitted), typeof(BidNotSubmitted), typeof(BidAwarded), typeof(AwardDispatched), typeof(IntervalSettled), typeof(ReserveCommitted),
    ];
}
