using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using Vpp.Grains.Live;

namespace Vpp.Grains.Hosting;

public static class TwinServiceCollectionExtensions
{
    /// <summary>Services the twin grains need. The registry and live publisher are seams the host may replace first.</summary>
    public static IServiceCollection AddVppTwins(this IServiceCollection services, Action<TwinOptions>? configure = null)
    {
        services.AddOptions<TwinOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton<TwinMetrics>();
        services.TryAddSingleton<ILivePublisher, NullLivePublisher>();
        services.AddMetrics();
        return services;
    }
}
