namespace Vpp.Contracts.Registrations;

/// <summary>Ids of sites, devices and regions as the REST API registers them: 1–64 characters from A–Z, a–z, 0–9, '.', '_', '-'.</summary>
public static class Ids
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
