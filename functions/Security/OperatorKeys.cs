using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Creditors;

namespace VroegSignalering.Functions.Security;

/// <summary>Section <c>Operators</c>.</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operators";

    /// <summary>
    /// A JSON file of local operators and the SHA-256 hashes of their keys (config/local/operators.json), for
    /// local runs and tests. Unset, as in Azure, no key admits an operator: only an Entra ID token with the
    /// <see cref="OperatorKeys.RunRole"/> app role does.
    /// </summary>
    public string? File { get; set; }
}

/// <summary>
/// Local operator keys: <c>{ "operators": [ { "id", "name", "apiKeyHashes": [ sha256 hex ] } ] }</c>. The file
/// holds hashes only (<c>printf %s "$key" | sha256sum</c>), so adding an operator never puts a key in a file.
/// Keys are sent in the same <c>X-Api-Key</c> header as creditors' keys; they are looked up here after the
/// creditor registry.
/// </summary>
public sealed class OperatorKeys
{
    public const string OperatorClaim = "vroeg:operator";
    public const string RunRole = "Operations.Run";

    private readonly IReadOnlyList<OperatorFileEntry> _operators;

    public OperatorKeys(IOptions<OperatorOptions> options)
    {
        var json = HashedKeyFiles.ReadConfigured(options.Value.File, "Operators:File");
        _operators = json is null ? [] : Parse(json);
    }

    public static IReadOnlyList<OperatorFileEntry> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, OperatorJson.Default.OperatorFile) ?? throw new InvalidDataException("the operators file is empty");
        foreach (var entry in file.Operators)
        {
            HashedKeyFiles.RequireHashes(entry.ApiKeyHashes, $"operator {entry.Id}");
        }

        return file.Operators;
    }

    /// <summary>The operator whose key this is, or null.</summary>
    public string? FindByApiKey(string apiKey) => HashedKeyFiles.FindByApiKey(_operators, apiKey, o => o.ApiKeyHashes, o => o.Id);
}

public static class OperatorClaims
{
    /// <summary>Who the operator is: the id of a local operator, or the Entra object id of the person or principal.</summary>
    public static string? OperatorId(this ClaimsPrincipal user) => user.FindFirst(OperatorKeys.OperatorClaim)?.Value;
}

public sealed record OperatorFile([property: JsonPropertyName("operators")] IReadOnlyList<OperatorFileEntry> Operators);

public sealed record OperatorFileEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("apiKeyHashes")] IReadOnlyList<string> ApiKeyHashes);

[JsonSerializable(typeof(OperatorFile))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
public sealed partial class OperatorJson : JsonSerializerContext;
