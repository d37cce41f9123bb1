using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;

namespace Vpp.Host.Hosting;

internal static class OpenApiNodaTime
{
    /// <summary>NodaTime values travel as ISO-8601 strings; say so in the OpenAPI document.</summary>
    public static OpenApiOptions AddNodaTimeSchemas(this OpenApiOptions o) =>
        o.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (type == typeof(Instant))
            {
                schema.Type = JsonSchemaType.String;
                schema.Format = "date-time";
                schema.Properties?.Clear();
            }
            return Task.CompletedTask;
        });
}
