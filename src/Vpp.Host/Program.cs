using Scalar.AspNetCore;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Host.Accounts;
using Vpp.Host.Api;
using Vpp.Host.Devices;
using Vpp.Host.Hosting;
using Vpp.Host.Live;
using Vpp.Host.Markets;
using Vpp.Host.Portal;
using Vpp.Messaging.Hosting;
using Vpp.Persistence.Postgres.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (HostAddress.NoneGiven(builder.Configuration)) builder.WebHost.UseUrls(HostAddress.Default);
var options = builder.Configuration.GetSection(VppHostOptions.Section).Get<VppHostOptions>() ?? new VppHostOptions();
builder.Services.Configure<VppHostOptions>(builder.Configuration.GetSection(VppHostOptions.Section));
if (options.Grid.Problem() is { } gridProblem) throw new InvalidOperationException("Configuration Vpp:Grid: " + gridProblem);
if (!string.IsNullOrWhiteSpace(options.OperatorApiKey) && OperatorApiKey.Problem(options.OperatorApiKey) is { } keyProblem)
    throw new InvalidOperationException("Configuration Vpp:OperatorApiKey: " + keyProblem);
if (options.Portal.Problem() is { } portalProblem) throw new InvalidOperationException("Configuration Vpp:Portal: " + portalProblem);
var markets = builder.Configuration.GetSection(MarketsHostOptions.Section).Get<MarketsHostOptions>() ?? new MarketsHostOptions();
var (marketOptions, marketProblem) = markets.Build();
if (marketProblem is not null) throw new InvalidOperationException("Configuration Vpp:Markets: " + marketProblem);

builder.UseOrleans(silo =>
{
    // Embedded default: one localhost silo. Multi-host clustering is configured per deployment.
    silo.UseLocalhostClustering(options.Orleans.SiloPort, options.Orleans.GatewayPort,
        options.Orleans.PrimarySiloPort > 0 ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, options.Orleans.PrimarySiloPort) : null,
        serviceId: options.Orleans.ServiceId, clusterId: options.Orleans.ClusterId);
    // Market days keep themselves alive with reminders; MarketScheduler re-arms them after a restart.
    silo.UseInMemoryReminderService();
});

// Durable persistence when a PostgreSQL connection string is configured; otherwise the volatile
// in-memory default (logged loudly at start-up).
var postgres = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();
postgres.ConnectionString = builder.Configuration.GetConnectionString("Postgres") ?? postgres.ConnectionString;
var durable = !string.IsNullOrWhiteSpace(postgres.ConnectionString);
// Kafka: the configured brokers, or an embedded mock cluster (logged loudly).
var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
var migrate = args.FirstOrDefault() == "migrate";
// Migrating only writes the schema: no Kafka, so no outbox publishing either.
postgres.PublishOutbox = kafka.PublishDispatch && !migrate;
if (durable) builder.Services.AddVppPostgres(postgres);
if (!migrate) builder.Services.AddVppKafka(kafka, durableOutbox: durable);

builder.Services.AddSingleton<HubLivePublisher>();
builder.Services.AddSingleton<ILivePublisher>(sp => sp.GetRequiredService<HubLivePublisher>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<HubLivePublisher>());
builder.Services.AddSingleton<LiveHostEndpoint>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveHostEndpoint>());
builder.Services.AddSingleton<SiteWatchers>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SiteWatchers>());
builder.Services.AddVppAuth(options.Portal);
builder.Services.AddVppTwins(o =>
{
    o.TelemetryInterval = NodaTime.Duration.FromMilliseconds(options.TelemetryIntervalMs);
    o.PublishInterval = NodaTime.Duration.FromMilliseconds(options.PublishIntervalMs);
    o.History.AllowedLateness = NodaTime.Duration.FromMinutes(options.History.AllowedLatenessMinutes);
    o.History.BackfillHorizon = NodaTime.Duration.FromHours(options.History.BackfillHorizonHours);
    o.History.FlushInterval = NodaTime.Duration.FromSeconds(options.History.FlushIntervalSeconds);
    o.Grid.BaselineWindow = NodaTime.Duration.FromSeconds(options.Grid.BaselineWindowSeconds);
    o.Grid.DeliveryInterval = NodaTime.Duration.FromSeconds(options.Grid.DeliveryIntervalSeconds);
    o.Grid.TraceBucket = NodaTime.Duration.FromSeconds(options.Grid.TraceBucketSeconds);
    o.Grid.TraceRetention = NodaTime.Duration.FromMinutes(options.Grid.TraceRetentionMinutes);
    o.Grid.AckTimeout = NodaTime.Duration.FromSeconds(options.Grid.AckTimeoutSeconds);
    o.Grid.CentralResponseValidity = NodaTime.Duration.FromSeconds(options.Grid.CentralResponseValiditySeconds);
    o.Grid.SocCheckInterval = NodaTime.Duration.FromSeconds(options.Grid.SocCheckIntervalSeconds);
    o.Grid.MaxDispatchLead = NodaTime.Duration.FromDays(options.Grid.MaxDispatchLeadDays);
});
builder.Services.AddSingleton(markets);
builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(marketOptions!));
if (markets.Enabled && !migrate)
{
    builder.Services.AddHttpClient<Vpp.Domain.Markets.IMarketExchange, HttpMarketExchange>(c =>
        c.BaseAddress = new Uri(markets.ExchangeUrl.EndsWith('/') ? markets.ExchangeUrl : markets.ExchangeUrl + "/"));
    builder.Services.AddHostedService<MarketScheduler>();
}
if (!migrate) builder.Services.AddHostedService<DispatchResumer>();
builder.Services.AddSingleton<GatewayMetrics>();
builder.Services.AddSingleton<DeviceGateway>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DeviceGateway>());
builder.Services.AddSingleton<OperatorApiKey>();
builder.Services.AddSingleton<OperatorApiGate>();
builder.Services.AddSingleton<RefusalLog>();
builder.Services.AddSingleton<Vpp.Host.Devices.RefusedUpgrades>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestHandler>();
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o => JsonConfig.Apply(o.SerializerOptions));
builder.Services.AddSignalR(o => Microsoft.AspNetCore.SignalR.HubOptionsExtensions.AddFilter<HubErrors>(o)).AddJsonProtocol(o => JsonConfig.Apply(o.PayloadSerializerOptions));
builder.Services.AddOpenApi(o => o.AddNodaTimeSchemas());

var app = builder.Build();

// `Vpp.Host migrate [--script file.sql]`: the explicit schema step for production; nothing else starts.
if (migrate)
{
    if (!durable)
    {
        Console.Error.WriteLine("migrate needs a PostgreSQL connection string (ConnectionStrings:Postgres).");
        return 2;
    }
    if (builder.Configuration["script"] is { Length: > 0 } script)
    {
        await PostgresSchema.WriteScriptAsync(app.Services, script);
        Console.WriteLine($"Migration script written to {script}");
    }
    else
    {
        await PostgresSchema.MigrateAsync(app.Services);
        Console.WriteLine($"Schema '{postgres.Schema}' is up to date.");
    }
    return 0;
}
if (durable) await PostgresSchema.PrepareAsync(app.Services);

// Behind trusted proxies (Vpp:Portal:TrustedProxies) the client's address and scheme come from their headers.
if (options.Portal.TrustedProxies.Length > 0) app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
app.Use(async (http, next) =>
{
    if (!SameOriginGuard.Refuses(http)) { await next(http); return; }
    await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused",
        detail: "Changes and live connections are accepted from this host's own pages only.").ExecuteAsync(http);
});
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
// Authenticate the operator API before routing runs its endpoints (and binds their bodies).
app.UseWhen(http => http.Request.Path.StartsWithSegments("/api"),
    branch => branch.Use((http, next) => http.RequestServices.GetRequiredService<OperatorApiGate>().InvokeAsync(http, next)));

app.MapDeviceGateway();
app.MapHub<LiveHub>(LiveHub.Path);
app.MapOpenApi();
app.MapScalarApiReference("/api-docs");
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();

var api = app.MapGroup("/api");
api.MapSiteEndpoints();
api.MapDeviceEndpoints();
api.MapFleetEndpoints();
api.MapDispatchEndpoints();
api.MapHomeownerAccounts();
api.MapMarketEndpoints();
app.MapSignIn();
app.MapPortal();

app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));
await app.RunAsync();
return 0;

/// <summary>Entry point type, public for WebApplicationFactory in tests.</summary>
public partial class Program;
