using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Vpp.Contracts.Accounts;

namespace Vpp.EndToEnd.Tests.Dashboards;

/// <summary>
/// A failed sign-in must not tell whether the account exists, neither by its answer nor by how long it
/// takes: an unknown user name costs the same password-hash work as a wrong password. Measured as
/// work (the hash verified and its iteration count), not as wall-clock time.
/// </summary>
public sealed class SignInWorkTests : IAsyncLifetime
{
    private readonly HasherHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_unknown_user_name_costs_the_same_password_hash_work_as_a_wrong_password()
    {
        await _host.RegisterHomeAsync("sw-1");
        await _host.CreateHomeownerAsync("sw-1", "ada", "correct horse battery");
        using var http = new HttpClient { BaseAddress = _host.BaseAddress };

        (await http.PostAsJsonAsync("/auth/login", new { username = "ada", password = "wrong password" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await http.PostAsJsonAsync("/auth/login", new { username = "nobody", password = "wrong password" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var verified = _host.Hasher.Verified.ToArray();
        verified.Should().HaveCount(2, "both refusals verified a password hash");
        var (real, decoy) = (Work(verified[0]), Work(verified[1]));
        real.Iterations.Should().BeGreaterThan(10_000, "a real account's hash is a slow one");
        decoy.Should().Be(real, "the unknown user was checked against a hash of the same format, function and iteration count");
    }

    /// <summary>ASP.NET Core Identity's v3 hash layout: 0x01, PRF (uint32 BE), iterations (uint32 BE), salt length (uint32 BE), salt, subkey.</summary>
    private static (byte Format, uint Prf, uint Iterations, int Length) Work(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        return (bytes[0], BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)), bytes.Length);
    }

    private sealed class HasherHost : VppHost
    {
        // Initialised before the base constructor starts the server.
        public CountingHasher Hasher { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<HomeownerCredentials>>(Hasher));
        }
    }

    /// <summary>The host's own hasher, recording every hash a sign-in verified against.</summary>
    private sealed class CountingHasher : IPasswordHasher<HomeownerCredentials>
    {
        private readonly PasswordHasher<HomeownerCredentials> _inner = new();
        public ConcurrentQueue<string> Verified { get; } = new();
        public string HashPassword(HomeownerCredentials user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(HomeownerCredentials user, string hashedPassword, string providedPassword)
        {
            Verified.Enqueue(hashedPassword);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
