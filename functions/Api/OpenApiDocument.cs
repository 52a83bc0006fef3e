using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using System.Text.Json.Serialization;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Api;

/// <summary>
/// The OpenAPI 3.1 document of the HTTP functions, built from the code: every <c>[Function]</c> with an
/// <c>[HttpTrigger]</c> gives its route and methods, its <c>[ProducesResponseType]</c>, <c>[Consumes]</c>
/// and <see cref="QueryParameterAttribute"/> its answers and inputs, and its class's
/// <see cref="ApiAccessAttribute"/> the security and the gate's answers (401, 403, 429). Schemas come
/// from the same System.Text.Json contracts the API serializes with. Minimal-API OpenAPI generation does
/// not see <c>[Function]</c> methods, hence this.
/// </summary>
public sealed partial class OpenApiDocument
{
    /// <summary>The Functions host's route prefix (host.json extensions.http.routePrefix).</summary>
    public const string RoutePrefix = "api";

    public const string ApiKeySchemeName = "apiKey";
    public const string EntraSchemeName = "entraId";

    private readonly Lazy<string> _json;

    public OpenApiDocument() => _json = new Lazy<string>(() => Build(typeof(OpenApiDocument).Assembly).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The document as JSON text.</summary>
    public string Json => _json.Value;

    // Every HTTP function of the assembly, with its trigger.
    private static IEnumerable<(string Name, MethodInfo Method, HttpTriggerAttribute Trigger)> HttpFunctions(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)
        where function is not null && trigger is not null
        orderby function.Name
        select (function.Name, method, trigger);

    public static JsonObject Build(Assembly assembly)
    {
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var paths = new JsonObject();
        foreach (var (name, method, trigger) in HttpFunctions(assembly))
        {
            var path = "/" + RoutePrefix + "/" + (trigger.Route ?? name).Trim('/');
            var item = paths[path] as JsonObject ?? [];
            paths[path] = item;
            foreach (var verb in trigger.Methods ?? ["get", "post"])
            {
                item[verb.ToLowerInvariant()] = Operation(name, method, path, schemas);
            }
        }

        var components = new JsonObject
        {
            ["schemas"] = new JsonObject(schemas.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
            ["securitySchemes"] = new JsonObject
            {
                [ApiKeySchemeName] = new JsonObject
                {
                    ["type"] = "apiKey",
                    ["in"] = "header",
                    ["name"] = CreditorAuthentication.ApiKeyHeader,
                    ["description"] = "The creditor's API key, issued with `vroeg creditors add` or `rotate-key` (stored only as a hash); " +
                                      "on a local run also an operator's key (config/local/operators.json) or a municipal team's (config/local/teams.json). In Azure operators and teams use Entra ID only.",
                },
                [EntraSchemeName] = new JsonObject
                {
                    ["type"] = "http",
                    ["scheme"] = "bearer",
                    ["bearerFormat"] = "JWT",
                    ["description"] = $"A Microsoft Entra ID access token for this API whose `roles` claim holds the operation's app role: `{CreditorAuthentication.SubmitRole}` " +
                                      $"for creditors (issued to a client application registered as a creditor), `{OperatorKeys.RunRole}` for operators, " +
                                      $"`{TeamKeys.SubmitRole}` for municipal teams (issued to a client application registered as a team of one gemeente).",
                },
            },
        };
        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "VroegSignalering API",
                ["description"] = "Creditors post payment-arrears signals and read back feedback; municipal teams record outcomes (HTTP is the outcome contract); operators run the operations that need the app's keys. See docs/api.md for the contract, limits and examples.",
                ["version"] = "1.0.0",
            },
            ["paths"] = paths,
            ["components"] = components,
        };
    }

    private static JsonObject Operation(string name, MethodInfo method, string path, IDictionary<string, JsonNode> schemas)
    {
        var access = ApiGate.AccessOf(method.DeclaringType!);
        var operation = new JsonObject { ["operationId"] = name };
        if (method.GetCustomAttribute<TagsAttribute>() is { } tags)
        {
            operation["tags"] = new JsonArray(tags.Tags.Select(t => (JsonNode?)t).ToArray());
        }

        if (method.GetCustomAttribute<EndpointSummaryAttribute>() is { } summary)
        {
            operation["summary"] = summary.Summary;
        }

        var parameters = new JsonArray();
        foreach (Match m in RouteParameter().Matches(path))
        {
            parameters.Add(new JsonObject { ["name"] = m.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var query in method.GetCustomAttributes<QueryParameterAttribute>())
        {
            var schema = new JsonObject { ["type"] = "string" };
            if (query.Allowed.Count > 0)
            {
                schema["enum"] = new JsonArray(query.Allowed.Select(v => (JsonNode?)v).ToArray());
                schema["default"] = query.Allowed[0];
            }

            parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["description"] = query.Description, ["schema"] = schema });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (method.GetCustomAttributes().OfType<IAcceptsMetadata>().FirstOrDefault() is { RequestType: { } requestType } accepts)
        {
            var content = new JsonObject();
            foreach (var contentType in accepts.ContentTypes)
            {
                // Signals in JSON are one object or an array of them; other JSON bodies one object; the other media
                // types are text in their own format.
                content[contentType] = new JsonObject
                {
                    ["schema"] = contentType == "application/json" && requestType != typeof(IncomingSignal)
                        ? Reference(requestType, schemas)
                        : contentType == "application/json"
                        ? new JsonObject { ["oneOf"] = new JsonArray(Reference(requestType, schemas), new JsonObject { ["type"] = "array", ["items"] = Reference(requestType, schemas) }) }
                        : new JsonObject { ["type"] = "string", ["description"] = $"One {requestType.Name} per {(contentType.Contains("csv", StringComparison.Ordinal) ? "row after the header row" : "line")}; see docs/api.md." },
                };
            }

            operation["requestBody"] = new JsonObject { ["required"] = !accepts.IsOptional, ["content"] = content };
        }

        var responses = new SortedDictionary<int, JsonObject>();
        foreach (var produces in method.GetCustomAttributes<ProducesResponseTypeAttribute>())
        {
            var contentTypes = new MediaTypeCollection();
            ((IApiResponseMetadataProvider)produces).SetContentTypes(contentTypes);
            responses[produces.StatusCode] = Response(produces.StatusCode, produces.Type, contentTypes, schemas, produces.Description);
        }

        if (access.Caller != ApiCaller.Anonymous)
        {
            responses[StatusCodes.Status401Unauthorized] = Response(StatusCodes.Status401Unauthorized, typeof(Problem), [Problems.ContentType], schemas);
            responses[StatusCodes.Status403Forbidden] = Response(StatusCodes.Status403Forbidden, typeof(Problem), [Problems.ContentType], schemas);
            operation["security"] = new JsonArray(
                new JsonObject { [ApiKeySchemeName] = new JsonArray() },
                new JsonObject { [EntraSchemeName] = new JsonArray(CallerKinds.Of(access.Caller).EntraRole) });
        }

        if (access.RateLimited)
        {
            var limited = Response(StatusCodes.Status429TooManyRequests, typeof(Problem), [Problems.ContentType], schemas);
            limited["headers"] = new JsonObject
            {
                ["Retry-After"] = new JsonObject { ["description"] = "Seconds until the creditor's rate limit admits a request again.", ["schema"] = new JsonObject { ["type"] = "integer" } },
            };
            responses[StatusCodes.Status429TooManyRequests] = limited;
        }

        operation["responses"] = new JsonObject(responses.Select(r => KeyValuePair.Create(r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)r.Value)));
        return operation;
    }

    private static JsonObject Response(int status, Type? type, IEnumerable<string> contentTypes, IDictionary<string, JsonNode> schemas, string? description = null)
    {
        var response = new JsonObject { ["description"] = description ?? ReasonPhrases.GetReasonPhrase(status) };
        if (type is not null && type != typeof(void))
        {
            var content = new JsonObject();
            foreach (var contentType in contentTypes.DefaultIfEmpty("application/json"))
            {
                content[contentType] = new JsonObject { ["schema"] = Reference(type, schemas) };
            }

            response["content"] = content;
        }

        return response;
    }

    // The schema under components/schemas, from the serializer contract the API writes (or, for signals, reads) it with.
    private static JsonObject Reference(Type type, IDictionary<string, JsonNode> schemas)
    {
        if (type == typeof(JsonObject))
        {
            return new JsonObject { ["type"] = "object" };
        }

        if (!schemas.ContainsKey(type.Name))
        {
            var options = new JsonSerializerContext[] { HttpJson.Default, CoreJson.Default, DdasJson.Default }.FirstOrDefault(c => c.GetTypeInfo(type) is not null)?.Options
                ?? throw new InvalidOperationException($"{type.Name} is in no JSON context the API writes with");
            schemas[type.Name] = JsonSchemaExporter.GetJsonSchemaAsNode(options, type, new JsonSchemaExporterOptions
            {
                TreatNullObliviousAsNonNullable = true,
                // A value with a custom converter (DDAS' date-time) exports as the schema `true`; say what it is instead.
                TransformSchemaNode = (context, node) => node switch
                {
                    JsonValue value when value.GetValueKind() == JsonValueKind.True =>
                        context.TypeInfo.Type == typeof(DateTimeOffset) ? new JsonObject { ["type"] = "string", ["format"] = "date-time" } : new JsonObject(),
                    JsonObject schema when context.TypeInfo.Options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull => WithoutNullRequired(schema),
                    _ => node,
                },
            });
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + type.Name };
    }

    // A contract that leaves null values out (DDAS) never writes a null property: it is optional, not required.
    private static JsonObject WithoutNullRequired(JsonObject schema)
    {
        if (schema["required"] is JsonArray required && schema["properties"] is JsonObject properties)
        {
            foreach (var name in required.Select(r => (string)r!).ToList())
            {
                if (properties[name]?["type"] is JsonArray types && types.Any(t => (string?)t == "null"))
                {
                    required.Remove(required.First(r => (string?)r == name));
                }
            }
        }

        return schema;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?::[^}]*)?\??\}")]
    private static partial Regex RouteParameter();
}
