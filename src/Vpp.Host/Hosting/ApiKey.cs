using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Vpp.Host.Accounts;

namespace Vpp.Host.Hosting;

/// <summary>The operator API key in force: configured, or generated once at start-up (embedded mode).</summary>
public sealed class OperatorApiKey
{
    public const string Header = "X-Api-Key";
    private readonly byte[] _key;

    public OperatorApiKey(IOptions<VppHostOptions> options, ILogger<OperatorApiKey> log)
    {
        var configured = options.Value.OperatorApiKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            Value = "vppk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            Generated = true;
            log.LogWarning("No Vpp:OperatorApiKey configured; generated one for this run: {ApiKey}", Value);
        }
        else
        {
            Value = configured;
        }
        _key = Encoding.UTF8.GetBytes(Value);
    }

    public string Value { get; }
    public bool Generated { get; }

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
}

public sealed class OperatorApiKeyFilter(OperatorApiKey key) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // The operator dashboard calls the API with its session cookie (SameSite=Strict) instead of the key.
        if (!key.Matches(context.HttpContext.Request.Headers[OperatorApiKey.Header]) && !context.HttpContext.User.IsOperator())
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operator API key required",
                detail: $"Send the operator API key in the {OperatorApiKey.Header} header.");
        return await next(context);
    }
}
