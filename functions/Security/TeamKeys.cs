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
    /// it and, for local runs and tests only, the SHA-256 hashes of its keys (config/local/teams.json). Unset and
    /// without <see cref="Entries"/>, no team is registered and the outcome API admits nobody.
    /// </summary>
    public string? File { get; set; }

    /// <summary>
    /// The teams as settings, the way Azure registers them: <c>Teams:Entries:&lt;n&gt;:Id</c>, <c>:Name</c>,
    /// <c>:Gemeentecode</c> and <c>:EntraAppIds:&lt;m&gt;</c> (app settings <c>Teams__Entries__0__Gemeentecode</c>, …),
    /// rendered by infra/main.bicep from its <c>teams</c> parameter. There is no key here: a team in Azure signs
    /// in with an Entra ID token only. Read together with <see cref="File"/>.
    /// </summary>
    public List<TeamEntry> Entries { get; set; } = [];
}

/// <summary>One team of <see cref="TeamOptions.Entries"/>.</summary>
public sealed class TeamEntry
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Gemeentecode { get; set; }

    public List<string> EntraAppIds { get; set; } = [];
}

/// <summary>
/// Refuses at start a team configuration the outcome API could not apply unambiguously, with a message that names the
/// team and the setting: a team without a gemeentecode, a team id twice, one client application registered for two teams.
/// </summary>
public sealed class TeamOptionsValidator : IValidateOptions<TeamOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamOptions options)
    {
        try
        {
            _ = TeamKeys.Load(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or JsonException)
        {
            return ValidateOptionsResult.Fail("Teams: " + e.Message);
        }
    }
}

/// <summary>
/// The municipal teams: <c>{ "teams": [ { "id", "name", "gemeentecode", "entraAppIds": [], "apiKeyHashes": [ sha256 hex ] } ] }</c>.
/// A team is registered for exactly one gemeente and sees only that gemeente's tasks. In Azure a team's
/// application gets the <see cref="SubmitRole"/> app role and its app id is listed in <see cref="TeamOptions.Entries"/>
/// (no file, no key); the local file holds no keys, only hashes (<c>printf %s "$key" | sha256sum</c>).
/// </summary>
public sealed class TeamKeys
{
    public const string TeamClaim = "vroeg:team";
    public const string SubmitRole = "Outcomes.Submit";

    private readonly IReadOnlyList<TeamFileEntry> _teams;

    public TeamKeys(IOptions<TeamOptions> options) => _teams = Load(options.Value);

    /// <summary>The teams of the file and of the settings together, checked as one list.</summary>
    public static IReadOnlyList<TeamFileEntry> Load(TeamOptions options)
    {
        var json = HashedKeyFiles.ReadConfigured(options.File, "Teams:File");
        var fromFile = json is null ? [] : Read(json);
        var fromSettings = options.Entries.Select((e, i) => new TeamFileEntry(
            e.Id ?? throw new InvalidDataException($"Teams:Entries:{i} has no Id"),
            e.Name,
            e.Gemeentecode!,
            e.EntraAppIds,
            ApiKeyHashes: null));
        return Check([.. fromFile, .. fromSettings]);
    }

    private static IReadOnlyList<TeamFileEntry> Read(string json) =>
        (JsonSerializer.Deserialize(json, TeamJson.Default.TeamFile) ?? throw new InvalidDataException("the teams file is empty")).Teams;

    private static IReadOnlyList<TeamFileEntry> Check(IReadOnlyList<TeamFileEntry> teams)
    {
        foreach (var entry in teams)
        {
            if (string.IsNullOrWhiteSpace(entry.Id))
            {
                throw new InvalidDataException("a team has no id");
            }

            // Null when the file or the settings leave it out: every team belongs to exactly one gemeente, which scopes what it sees.
            if (entry.Gemeentecode is not { Length: 4 } code || !code.All(char.IsAsciiDigit))
            {
                throw new InvalidDataException($"team {entry.Id}: gemeentecode is the CBS code of one gemeente, four digits (it is {(entry.Gemeentecode is null ? "missing" : $"'{entry.Gemeentecode}'")})");
            }

            HashedKeyFiles.RequireHashes(entry.ApiKeyHashes, $"team {entry.Id}");
        }

        if (teams.GroupBy(t => t.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"team {twice.Key} is listed twice");
        }

        // An app id under two teams would see whichever team is listed first: with two gemeenten, the wrong gemeente's tasks.
        var shared = teams
            .SelectMany(t => (t.EntraAppIds ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Select(app => (App: app, Team: t)))
            .GroupBy(p => p.App, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (shared is not null)
        {
            throw new InvalidDataException(
                $"Entra app id {shared.Key} is registered for {string.Join(" and ", shared.Select(p => $"team {p.Team.Id} (gemeente {p.Team.Gemeentecode})"))}: a client application is one team of one gemeente");
        }

        return teams;
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
