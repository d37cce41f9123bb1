using System.Security.Cryptography;
using System.Text;

namespace Vpp.Persistence.Registrations;

/// <summary>
/// Device tokens are 256 random bits, shown once at registration. Only a SHA-256 hash is stored:
/// with that much entropy a slow password hash adds nothing, and a fast one keeps the WebSocket
/// upgrade cheap when thousands of devices reconnect at once.
/// </summary>
public static class DeviceTokens
{
    public const string Prefix = "vppd_";

    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
