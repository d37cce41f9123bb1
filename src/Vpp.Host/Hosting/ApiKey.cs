using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Vpp.Host.Accounts;

namespace Vpp.Host.Hosting;

/// <summary>The operator API key in force: configured, or generated once at start-up (embedded mode).</summary>
public sealed class OperatorApiKey
{
    public const string Header = "X-Api-Key";

    /// <summary>A configured key shorter than this is refused at start-up: it could be guessed.</summary>
    public const int MinLength = 16;

    private readonly byte[] _hash;

    public OperatorApiKey(IOptions<VppHostOptions> options)
    {
        var configured = options.Value.OperatorApiKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Printed once, by the start-up banner.
            Value = "vppk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            Generated = true;
        }
        else
        {
            Value = configured; // its strength is checked at start-up (Program.cs)
        }
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    public string Value { get; }
    public bool Generated { get; }

    /// <summary>Names the key without revealing it (in operator sessions: a new key ends them).</summary>
    public string Fingerprint => Convert.ToHexStringLower(_hash.AsSpan(0, 8));

    /// <summary>What is wrong with a configured key, or null.</summary>
    public static string? Problem(string key) =>
        key.Trim().Length < MinLength ? $"the operator key must have at least {MinLength} characters (e.g. openssl rand -hex 24)." : null;

    /// <summary>Compares digests in constant time, so neither the key's content nor its length shows in the timing.</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _hash);
}
