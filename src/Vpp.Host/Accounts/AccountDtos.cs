namespace Vpp.Host.Accounts;

public sealed record SignInRequest(string? Username, string? Password);

public sealed record OperatorSignInRequest(string? ApiKey);

public sealed record CreateHomeownerRequest(string? Username, string? Password);

/// <summary>Who is signed in: role "operator" (every site) or "homeowner" (one site).</summary>
public sealed record MeView(string Name, string Role, string? SiteId);

public sealed record HomeownerAccountView(string Username, string SiteId);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record ResetPasswordRequest(string? Password);
