using NodaTime;
using NodaTime.Text;

namespace Vpp.Host.Api;

/// <summary>Collects field errors and turns them into an RFC 9457 validation problem (400).</summary>
internal sealed partial class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IResult Problem() => Results.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
        title: "The request is invalid");

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public string Id(string field, string? value)
    {
        if (!Vpp.Contracts.Registrations.Ids.IsValid(value))
            Add(field, "Required: 1–64 characters from A–Z, a–z, 0–9, '.', '_', '-'.");
        return value ?? "";
    }

    public string Text(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "Required.");
        else if (value.Length > maxLength) Add(field, $"At most {maxLength} characters.");
        return value ?? "";
    }

    public double Number(string field, double? value, double min, double max, bool minExclusive = false)
    {
        if (value is not { } v) Add(field, "Required.");
        else if (!double.IsFinite(v) || v < min || v > max || (minExclusive && v <= min))
            Add(field, $"Must be a number {(minExclusive ? ">" : "≥")} {min} and ≤ {max}.");
        return value ?? 0;
    }

    public double? OptionalNumber(string field, double? value, double min, double max)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > max)) Add(field, $"Must be between {min} and {max}.");
        return value;
    }

    /// <summary>skip ≥ 0 (default 0) and 1 ≤ take ≤ 500 (default 50).</summary>
    public (int Skip, int Take) Paging(int? skip, int? take)
    {
        var s = (int)Number("skip", skip ?? 0, 0, int.MaxValue);
        var t = (int)Number("take", take ?? 50, 1, 500);
        return (s, t);
    }

    /// <summary>An ISO-8601 instant in UTC, e.g. 2026-11-23T10:00:00Z.</summary>
    public Instant Instant(string field, string? value)
    {
        var parsed = value is null ? null : InstantPattern.ExtendedIso.Parse(value);
        if (parsed is null || !parsed.Success)
        {
            Add(field, "Required: an ISO-8601 instant in UTC such as 2026-11-23T10:00:00Z.");
            return default;
        }
        return parsed.Value;
    }
}
