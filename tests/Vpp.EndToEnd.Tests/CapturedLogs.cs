using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vpp.EndToEnd.Tests;

/// <summary>The host's warnings and errors, kept so tests can check that something was logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}" + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]"));
        }
    }
}
