using System.Collections.Concurrent;
using System.Text;
using NodaTime;

namespace Vpp.Host.Hosting;

/// <summary>
/// Logs refusals (failed sign-ins, refused site access) at most <see cref="PerMinute"/> a minute per
/// kind, saying how many were left out, so that a flood of bad requests cannot flood the log; and
/// makes what a client sent safe to log (<see cref="Safe"/>).
/// </summary>
public sealed class RefusalLog(IClock clock, ILoggerFactory logs)
{
    public const int PerMinute = 20;
    private const int MaxLoggedLength = 64;
    private readonly ConcurrentDictionary<string, (Instant Since, int Count)> _windows = new(StringComparer.Ordinal);
    private readonly ILogger _log = logs.CreateLogger("Vpp.Host.Refusals");

    /// <summary>Logs a warning under <paramref name="kind"/> unless this minute's allowance is spent.</summary>
    public void Warn(string kind, string message, params object?[] args)
    {
        var now = clock.GetCurrentInstant();
        var (since, count) = _windows.AddOrUpdate(kind, (now, 1), (_, w) => now - w.Since < Duration.FromMinutes(1) ? (w.Since, w.Count + 1) : (now, 1));
        if (count <= PerMinute) _log.LogWarning(message, args);
        if (count == PerMinute) _log.LogWarning("More {Kind} refusals this minute are not logged (since {Since})", kind, since);
    }

    /// <summary>Client text as it may appear in a log line: at most 64 characters, printable, no line breaks or control characters.</summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(Math.Min(text.Length, MaxLoggedLength + 1));
        foreach (var c in text.Length > MaxLoggedLength ? text[..MaxLoggedLength] : text)
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c);
        if (text.Length > MaxLoggedLength) sb.Append('…');
        return sb.ToString();
    }
}
