using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Registrations;
using Vpp.Protocol;

namespace Vpp.Contracts.Sites;

/// <summary>
/// The digital twin of one home; key = siteId. Devices report to it; it reports to the fleet. It is
/// the only writer of the site's event stream (registration, devices, homeowner settings).
/// </summary>
[Alias("vpp.ISiteGrain")]
public interface ISiteGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<RegisterOutcome> Register(SiteRegistration site);

    /// <summary>Registers the device (its own stream, token hash included) and adds it to the site.</summary>
    [Alias("AddDevice")]
    Task<RegisterOutcome> AddDevice(DeviceRegistration device, string tokenHash);

    /// <summary>Null when no site with this id is registered.</summary>
    [AlwaysInterleave, Alias("GetDetails")]
    Task<SiteDetails?> GetDetails();

    /// <summary>Null when not registered. Interleaves: device twins ask while the site may be calling them.</summary>
    [AlwaysInterleave, Alias("GetSettings")]
    Task<SiteSettings?> GetSettings();

    /// <summary>Backup reserve (0–100 %) and participation; the site's batteries apply it at once.</summary>
    [Alias("ChangePreferences")]
    Task<SiteSettings> ChangePreferences(double backupReservePct, bool participating, string changedBy);

    [Alias("SetManualOverride")]
    Task<SiteSettings> SetManualOverride(Instant until, string reason, string changedBy);

    [Alias("ClearManualOverride")]
    Task<SiteSettings> ClearManualOverride(string changedBy);

    /// <summary>Records an operating envelope; a repeated <paramref name="sourceEventId"/> changes nothing (false).</summary>
    [Alias("SetOperatingEnvelope")]
    Task<bool> SetOperatingEnvelope(Grid.OperatingEnvelope envelope, string sourceEventId);

    [Alias("GetOperatingEnvelopes")]
    Task<IReadOnlyList<Grid.OperatingEnvelope>> GetOperatingEnvelopes();

    [OneWay, Alias("DeviceReported")]
    Task DeviceReported(string deviceId, DeviceKind kind, TelemetryReading reading);

    [OneWay, Alias("DeviceConnectionChanged")]
    Task DeviceConnectionChanged(string deviceId, bool connected);

    [Alias("GetState")]
    Task<SiteState> GetState();

    /// <summary>A viewer watches the site: it publishes live state for the next couple of minutes (renewed by the hosts).</summary>
    [OneWay, Alias("Watch")]
    Task Watch();

    /// <summary>
    /// The baseline the site would take the dispatch's share on now (grid flow and each battery's
    /// power without it), without taking it: the dispatch records it before any setpoint goes out.
    /// Null when the site is not registered.
    /// </summary>
    [Alias("DispatchBaseline")]
    Task<Grid.SiteBaseline?> DispatchBaseline(Grid.SiteDispatchOrder order);

    /// <summary>Takes (or changes) the site's share of a dispatch: setpoints to its batteries on top of their baseline.</summary>
    [Alias("Dispatch")]
    Task<Grid.SiteDispatchResult> Dispatch(Grid.SiteDispatchOrder order);

    /// <summary>The site's baseline and mean grid flow over [from, to) for a dispatch it took part in.</summary>
    [AlwaysInterleave, Alias("MeasureDelivery")]
    Task<Grid.SiteDelivery> MeasureDelivery(string requestId, Instant from, Instant to);

    /// <summary>The dispatch is over; <paramref name="early"/>: stop now rather than let the setpoints expire.</summary>
    [Alias("EndDispatch")]
    Task EndDispatch(string requestId, bool early);

    /// <summary>A battery's setpoint failed (rejected, not acknowledged, stopped at the reserve).</summary>
    [OneWay, Alias("SetpointFailed")]
    Task SetpointFailed(string deviceId, string commandId, string reason);

    /// <summary>Dispatch events the site opted out of (the latest 100).</summary>
    [AlwaysInterleave, Alias("GetOptedOut")]
    Task<IReadOnlyList<string>> GetOptedOut();

    /// <summary>The homeowner opts the site out of one dispatch event (event-sourced); a running share moves to other sites.</summary>
    [Alias("OptOut")]
    Task<SiteSettings> OptOut(string requestId, string changedBy);

    /// <summary>
    /// Credits the site's share of a settled market product (event-sourced). A credit with a
    /// settlement id already applied has no second effect. False when it was a repeat.
    /// </summary>
    [Alias("CreditEarnings")]
    Task<bool> CreditEarnings(string settlementId, SiteEarning earning);

    [AlwaysInterleave, Alias("GetEarnings")]
    Task<SiteEarnings> GetEarnings();
}
