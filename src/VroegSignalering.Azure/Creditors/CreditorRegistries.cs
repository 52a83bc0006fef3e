using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Azure.Creditors;

public enum CreditorSource
{
    /// <summary>A JSON file with local-only keys (config/local/creditors.json): local runs and tests.</summary>
    File,

    /// <summary>The creditors table, holding only SHA-256 hashes of keys: Azure.</summary>
    Table,
}

/// <summary>Section <c>Creditors</c>.</summary>
public sealed class CreditorOptions
{
    public const string Section = "Creditors";

    public CreditorSource Source { get; set; } = CreditorSource.File;

    public string File { get; set; } = "config/local/creditors.json";

    /// <summary>How long the table registry reuses what it read.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>API keys are compared by hash only; a key never needs to be stored or logged.</summary>
public static class ApiKeys
{
    public static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey.Trim())));

    /// <summary>A new random key (256 bits, URL-safe), for `vroeg creditors add`.</summary>
    public static string NewKey(string creditorId) =>
        $"vs_{creditorId}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A registry entry: the creditor plus the hashes of its (at most two, for rotation) active keys.</summary>
public sealed record CreditorEntry(Creditor Creditor, IReadOnlyList<string> ApiKeyHashes, IReadOnlyList<string> EntraAppIds);

/// <summary>Lookups over a set of entries, shared by both sources.</summary>
public abstract class CreditorRegistryBase : ICreditorRegistry
{
    protected abstract ValueTask<IReadOnlyList<CreditorEntry>> EntriesAsync(CancellationToken cancellationToken);

    public async ValueTask<Creditor?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 512)
        {
            return null;
        }

        var hash = ApiKeys.Hash(apiKey);
        return (await EntriesAsync(cancellationToken)).FirstOrDefault(e => e.ApiKeyHashes.Contains(hash, StringComparer.Ordinal))?.Creditor;
    }

    public async ValueTask<Creditor?> FindByEntraAppIdAsync(string appId, CancellationToken cancellationToken) =>
        (await EntriesAsync(cancellationToken)).FirstOrDefault(e => e.EntraAppIds.Contains(appId, StringComparer.OrdinalIgnoreCase))?.Creditor;

    public async ValueTask<IReadOnlyList<Creditor>> ListAsync(CancellationToken cancellationToken) =>
        (await EntriesAsync(cancellationToken)).Select(e => e.Creditor).ToList();

    protected static IReadOnlySet<PartnerType> ParseTypes(IEnumerable<string> names, string creditorId) =>
        names.Select(n => PartnerTypes.TryParse(n, out var t) ? t : throw new InvalidDataException($"creditor {creditorId}: unknown partner type '{n}'")).ToHashSet();
}

/// <summary>
/// Local registry from a JSON file: <c>{ "creditors": [ { "id", "name", "partnerTypes": [...], "apiKeys": [...], "entraAppIds": [...] } ] }</c>.
/// The keys in that file are local-only demo keys; they are hashed on load and the plain values dropped.
/// </summary>
public sealed class FileCreditorRegistry : CreditorRegistryBase
{
    private readonly IReadOnlyList<CreditorEntry> _entries;

    public FileCreditorRegistry(IOptions<CreditorOptions> options)
    {
        var path = options.Value.File;
        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        if (!System.IO.File.Exists(full))
        {
            throw new FileNotFoundException($"Creditors:File points at {full}, which does not exist", full);
        }

        _entries = Parse(System.IO.File.ReadAllText(full));
    }

    public static IReadOnlyList<CreditorEntry> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, CreditorJson.Default.CreditorFile) ?? throw new InvalidDataException("the creditors file is empty");
        return file.Creditors.Select(c =>
        {
            var keys = c.ApiKeys ?? [];
            if (keys.Count > 2)
            {
                throw new InvalidDataException($"creditor {c.Id}: at most two active API keys (one current, one being rotated out)");
            }

            return new CreditorEntry(new Creditor(c.Id, c.Name ?? c.Id, ParseTypes(c.PartnerTypes ?? [], c.Id)), keys.Select(ApiKeys.Hash).ToList(), c.EntraAppIds ?? []);
        }).ToList();
    }

    protected override ValueTask<IReadOnlyList<CreditorEntry>> EntriesAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_entries);
}

/// <summary>The Azure registry: table <c>creditors</c>, one row per creditor, keys as SHA-256 hashes only.</summary>
public sealed class TableCreditorRegistry(TableSet tables, IOptions<CreditorOptions> options, TimeProvider time) : CreditorRegistryBase
{
    private const string Partition = "creditor";
    private (DateTimeOffset At, IReadOnlyList<CreditorEntry> Entries)? _cache;

    protected override async ValueTask<IReadOnlyList<CreditorEntry>> EntriesAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } c && time.GetUtcNow() - c.At < options.Value.CacheDuration)
        {
            return c.Entries;
        }

        var table = await tables.GetAsync(tables.Names.Creditors, cancellationToken);
        var list = new List<CreditorEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            list.Add(new CreditorEntry(
                new Creditor(e.RowKey, e.GetString("Name") ?? e.RowKey, ParseTypes(Split(e.GetString("PartnerTypes")), e.RowKey)),
                Split(e.GetString("ApiKeyHashes")),
                Split(e.GetString("EntraAppIds"))));
        }

        _cache = (time.GetUtcNow(), list);
        return list;
    }

    /// <summary>Entries with their key hashes, uncached (administration).</summary>
    public async Task<IReadOnlyList<CreditorEntry>> EntriesForAdminAsync(CancellationToken cancellationToken)
    {
        _cache = null;
        return await EntriesAsync(cancellationToken);
    }

    /// <summary>Adds or replaces a creditor; the API key hashes replace the old ones (rotation keeps at most two).</summary>
    public async Task SaveAsync(Creditor creditor, IReadOnlyList<string> apiKeyHashes, IReadOnlyList<string> entraAppIds, CancellationToken cancellationToken)
    {
        if (apiKeyHashes.Count > 2)
        {
            throw new ArgumentException("at most two active API keys", nameof(apiKeyHashes));
        }

        var table = await tables.GetAsync(tables.Names.Creditors, cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(Partition, creditor.Id)
        {
            ["Name"] = creditor.Name,
            ["PartnerTypes"] = string.Join('|', creditor.PartnerTypes.Select(t => t.ToDdas())),
            ["ApiKeyHashes"] = string.Join('|', apiKeyHashes),
            ["EntraAppIds"] = string.Join('|', entraAppIds),
        }, TableUpdateMode.Replace, cancellationToken);
        _cache = null;
    }

    private static List<string> Split(string? value) => (value ?? string.Empty).Split('|', StringSplitOptions.RemoveEmptyEntries).ToList();
}

public sealed record CreditorFile([property: JsonPropertyName("creditors")] IReadOnlyList<CreditorFileEntry> Creditors);

public sealed record CreditorFileEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("partnerTypes")] IReadOnlyList<string> PartnerTypes,
    [property: JsonPropertyName("apiKeys")] IReadOnlyList<string> ApiKeys,
    [property: JsonPropertyName("entraAppIds")] IReadOnlyList<string> EntraAppIds);

[JsonSerializable(typeof(CreditorFile))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
public sealed partial class CreditorJson : JsonSerializerContext;
