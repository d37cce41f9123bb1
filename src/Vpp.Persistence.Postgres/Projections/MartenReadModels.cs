using Marten;
using Marten.Pagination;
using Vpp.Persistence.ReadModels;

namespace Vpp.Persistence.Postgres.Projections;

public sealed class MartenReadModels(IDocumentStore store) : IReadModels
{
    public async Task<DeviceDirectoryEntry?> FindDeviceByTokenHashAsync(string tokenHash, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<DeviceDirectoryEntry>().Where(d => d.TokenHash == tokenHash).FirstOrDefaultAsync(ct);
    }

    public async Task<DeviceDirectoryEntry?> GetDeviceAsync(string deviceId, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<DeviceDirectoryEntry>(deviceId, ct);
    }

    public async Task<IReadOnlyList<DeviceDirectoryEntry>> GetDevicesAsync(IReadOnlyCollection<string> deviceIds, CancellationToken ct = default)
    {
        if (deviceIds.Count == 0) return [];
        await using var session = store.QuerySession();
        return await session.LoadManyAsync<DeviceDirectoryEntry>(ct, deviceIds);
    }

    public async Task<long> CountSitesAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<SiteDirectoryEntry>().CountAsync(ct);
    }

    public async Task<ResultPage<SiteDirectoryEntry>> ListSitesAsync(int skip, int take, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var q = session.Query<SiteDirectoryEntry>().OrderBy(s => s.Id);
        return await Page(q, skip, take, ct);
    }

    public async Task<ResultPage<CommandHistoryEntry>> CommandHistoryAsync(string deviceId, int skip, int take, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var q = session.Query<CommandHistoryEntry>().Where(c => c.DeviceId == deviceId)
            .OrderByDescending(c => c.IssuedAt).ThenByDescending(c => c.Id);
        return await Page(q, skip, take, ct);
    }

    public async Task<IReadOnlyList<OpenDispatchEntry>> ListOpenDispatchesAsync(CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<OpenDispatchEntry>().Where(d => d.Open).ToListAsync(ct);
    }

    public async Task<ResultPage<SiteTimelineEntry>> SiteTimelineAsync(string siteId, int skip, int take, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        var q = session.Query<SiteTimelineEntry>().Where(t => t.SiteId == siteId).OrderByDescending(t => t.Id);
        return await Page(q, skip, take, ct);
    }

    private static async Task<ResultPage<T>> Page<T>(IQueryable<T> ordered, int skip, int take, CancellationToken ct) where T : notnull
    {
        var items = await ordered.Stats(out var stats).Skip(skip).Take(take).ToListAsync(ct);
        return new ResultPage<T>(items, stats.TotalResults, skip, take);
    }
}
