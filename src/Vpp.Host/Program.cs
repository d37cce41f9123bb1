using Scalar.AspNetCore;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Host.Api;
using Vpp.Host.Devices;
using Vpp.Host.Hosting;
using Vpp.Host.Live;
using Vpp.Registry;

var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection(VppHostOptions.Section).Get<VppHostOptions>() ?? new VppHostOptions();
builder.Services.Configure<VppHostOptions>(builder.Configuration.GetSection(VppHostOptions.Section));

builder.UseOrleans(silo =>
{
    // Embedded default: one localhost silo. Multi-host clustering is configured per deployment.
    silo.UseLocalhostClustering(options.Orleans.SiloPort, options.Orleans.GatewayPort,
        serviceId: options.Orleans.ServiceId, clusterId: options.Orleans.ClusterId);
});

builder.Services.AddSingleton<IRegistry, InMemoryRegistry>();
builder.Services.AddSingleton<HubLivePublisher>();
builder.Services.AddSingleton<ILivePublisher>(sp => sp.GetRequiredService<HubLivePublisher>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<HubLivePublisher>());
builder.Services.AddVppTwins(o => o.TelemetryInterval = NodaTime.Duration.FromMilliseconds(options.TelemetryIntervalMs));
builder.Services.AddSingleton<GatewayMetrics>();
builder.Services.AddSingleton<OperatorApiKey>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestHandler>();
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o => JsonConfig.Apply(o.SerializerOptions));
builder.Services.AddSignalR().AddJsonProtocol(o => JsonConfig.Apply(o.PayloadSerializerOptions));
builder.Services.AddOpenApi(o => o.AddNodaTimeSchemas());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapDeviceGateway();
app.MapHub<LiveHub>(LiveHub.Path);
app.MapOpenApi();
app.MapScalarApiReference("/api-docs");
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();

var api = app.MapGroup("/api").AddEndpointFilter<OperatorApiKeyFilter>();
api.MapSiteEndpoints();
api.MapDeviceEndpoints();
api.MapFleetEndpoints();

app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));
app.Run();

/// <summary>Entry point type, public for WebApplicationFactory in tests.</summary>
public partial class Program;
