namespace Vpp.Messaging.Consumers;

/// <summary>
/// Failures a message's own content can cause (an argument out of range, a bad format, an overflow):
/// retrying them gives the same result. Everything else (a database, a silo or the broker away, a
/// timeout, and also a bug that fails every message, such as a null reference) may pass on a later
/// attempt or needs a fix, and is retried without limit rather than emptying a topic into the dead letters.
/// </summary>
public static class PoisonFailure
{
    public const string Code = "handler_failed";
    private const int MaxReasonLength = 500;

    public static bool Is(Exception e) => e switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(Is),
        ArgumentException or FormatException or OverflowException => true,
        _ => false,
    };

    public static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length <= MaxReasonLength ? text : text[..MaxReasonLength];
    }
}
