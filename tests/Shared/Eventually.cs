namespace Vpp.Tests.Shared;

/// <summary>Polls until a condition holds or the timeout passes; returns the last value so the caller's assertion says what was seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 20_000)
    {
        // Monotonic: this sandbox's wall clock can jump.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || waited.ElapsedMilliseconds > timeoutMs) return value;
            await Task.Delay(100);
        }
    }
}
