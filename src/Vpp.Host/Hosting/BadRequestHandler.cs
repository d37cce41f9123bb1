using Microsoft.AspNetCore.Diagnostics;

namespace Vpp.Host.Hosting;

/// <summary>Malformed request bodies (invalid JSON, wrong types) become a 400 problem that says what was wrong.</summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read", Detail = (bad.InnerException ?? bad).Message },
        });
    }
}
