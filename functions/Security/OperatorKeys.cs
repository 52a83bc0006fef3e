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
        var path = options.Value.File;
        if (string.IsNullOrWhiteSpace(path))
        {
            _operators = [];
            return;
        }

        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        if (!System.IO.File.Exists(full))
        {
            throw new FileNotFoundException($"Operators:File points at {full}, which does not exist", full);
        }

        _operators = Parse(System.IO.File.ReadAllText(full));
    }

    public static IReadOnlyList<OperatorFileEntry> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, OperatorJson.Default.OperatorFile) ?? throw new InvalidDataException("the operators file is empty");
        foreach (var entry in file.Operators)
        {
            if (entry.ApiKeyHashes.Any(h => h.Length != 64 || !h.All(char.IsAsciiHexDigitLower)))
            {
                throw new InvalidDataException($"operator {entry.Id}: apiKeyHashes holds SHA-256 hashes (64 lower-case hex digits), never keys");
            }
        }

        return file.Operators;
    }

    /// <summary>The operator whose key this is, or null.</summary>
    public string? FindByApiKey(string apiKey)
    {
        if (_operators.Count == 0 || string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 512)
        {
            return null;
        }

        var hash = ApiKeys.Hash(apiKey);
        return _operators.FirstOrDefault(o => o.ApiKeyHashes.Contains(hash, StringComparer.Ordinal))?.Id;
    }
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
