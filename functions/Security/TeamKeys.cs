using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Creditors;

namespace VroegSignalering.Functions.Security;

/// <summary>Section <c>Teams</c>.</summary>
public sealed class TeamOptions
{
    public const string Section = "Teams";

    /// <summary>
    /// A JSON file of the municipal teams: each team's gemeente, the Entra ID client applications registered for
    /// it and, for local runs and tests only, the SHA-256 hashes of its keys (config/local/teams.json). Unset, no
    /// team is registered and the outcome API admits nobody.
    /// </summary>
    public string? File { get; set; }
}

/// <summary>
/// The municipal teams: <c>{ "teams": [ { "id", "name", "gemeentecode", "entraAppIds": [], "apiKeyHashes": [ sha256 hex ] } ] }</c>.
/// A team is registered for exactly one gemeente and sees only that gemeente's tasks. In Azure a team's
/// application gets the <see cref="SubmitRole"/> app role and its app id is listed here; the file holds no keys,
/// only hashes (<c>printf %s "$key" | sha256sum</c>), and in Azure none at all.
/// </summary>
public sealed class TeamKeys
{
    public const string TeamClaim = "vroeg:team";
    public const string SubmitRole = "Outcomes.Submit";

    private readonly IReadOnlyList<TeamFileEntry> _teams;

    public TeamKeys(IOptions<TeamOptions> options)
    {
        var json = HashedKeyFiles.ReadConfigured(options.Value.File, "Teams:File");
        _teams = json is null ? [] : Parse(json);
    }

    public static IReadOnlyList<TeamFileEntry> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, TeamJson.Default.TeamFile) ?? throw new InvalidDataException("the teams file is empty");
        foreach (var entry in file.Teams)
        {
            if (entry.Gemeentecode.Length != 4 || !entry.Gemeentecode.All(char.IsAsciiDigit))
            {
                throw new InvalidDataException($"team {entry.Id}: gemeentecode is the CBS code of one gemeente, four digits");
            }

            HashedKeyFiles.RequireHashes(entry.ApiKeyHashes, $"team {entry.Id}");
        }

        if (file.Teams.GroupBy(t => t.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"team {twice.Key} is listed twice");
        }

        return file.Teams;
    }

    /// <summary>The team whose key this is, or null.</summary>
    public string? FindByApiKey(string apiKey) => HashedKeyFiles.FindByApiKey(_teams, apiKey, t => t.ApiKeyHashes, t => t.Id);

    /// <summary>The team a client application is registered as, or null: the app role alone grants nothing.</summary>
    public string? FindByEntraAppId(string appId) =>
        _teams.FirstOrDefault(t => (t.EntraAppIds ?? []).Contains(appId, StringComparer.OrdinalIgnoreCase))?.Id;

    /// <summary>The gemeente a team is registered for, or null for an unknown team.</summary>
    public string? GemeenteOf(string teamId) => _teams.FirstOrDefault(t => t.Id == teamId)?.Gemeentecode;
}

public static class TeamClaims
{
    public static string? TeamId(this ClaimsPrincipal user) => user.FindFirst(TeamKeys.TeamClaim)?.Value;
}

public sealed record TeamFile([property: JsonPropertyName("teams")] IReadOnlyList<TeamFileEntry> Teams);

public sealed record TeamFileEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("gemeentecode")] string Gemeentecode,
    [property: JsonPropertyName("entraAppIds")] IReadOnlyList<string>? EntraAppIds,
    [property: JsonPropertyName("apiKeyHashes")] IReadOnlyList<string>? ApiKeyHashes);

[JsonSerializable(typeof(TeamFile))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
public sealed partial class TeamJson : JsonSerializerContext;
