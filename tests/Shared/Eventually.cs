using System.Collections;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Vpp.Tests.Shared;

/// <summary>
/// Polls until a condition holds. A timeout fails the test with what was expected and the last value
/// seen (or the last error a read or the condition threw), so no wait can pass without its condition.
/// </summary>
public static class Eventually
{
    private const int PollMs = 50;

    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 20_000,
        [CallerArgumentExpression(nameof(done))] string expected = "")
    {
        // Monotonic: this sandbox's wall clock can jump.
        var waited = Stopwatch.StartNew();
        var seen = false;
        T last = default!;
        Exception? error = null;
        while (true)
        {
            try
            {
                last = await read();
                seen = true;
                error = null;
                if (done(last)) return last;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not there yet (a 404 before registration, a field not written yet): keep polling, report it on timeout.
                error = e;
            }
            if (waited.ElapsedMilliseconds > timeoutMs)
                throw new EventuallyTimeoutException(expected, timeoutMs, seen ? Describe(last) : "(no value read)", error);
            await Task.Delay(PollMs);
        }
    }

    /// <summary>The same for a value the test reads synchronously (its own devices' state).</summary>
    public static Task<T> Value<T>(Func<T> read, Func<T, bool> done, int timeoutMs = 20_000,
        [CallerArgumentExpression(nameof(done))] string expected = "") =>
        Until(() => Task.FromResult(read()), done, timeoutMs, expected);

    /// <summary>Waits for a condition on state the test holds itself; the expression is the failure's text.</summary>
    public static Task True(Func<bool> condition, int timeoutMs = 20_000,
        [CallerArgumentExpression(nameof(condition))] string expected = "") =>
        Value(condition, ok => ok, timeoutMs, expected);

    internal static string Describe(object? value) => value switch
    {
        null => "null",
        string s => '"' + s + '"',
        JsonNode node => node.ToJsonString(),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Take(20).Select(Describe)) + "]",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

public sealed class EventuallyTimeoutException(string expected, int timeoutMs, string last, Exception? error)
    : Exception($"Waited {timeoutMs} ms for {expected}; last value: {last}" + (error is null ? "" : $"; last error: {error.GetType().Name}: {error.Message}"), error);
