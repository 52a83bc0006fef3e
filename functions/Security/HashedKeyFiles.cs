using VroegSignalering.Azure.Creditors;

namespace VroegSignalering.Functions.Security;

/// <summary>
/// What the local key files of operators and teams share: the file a setting points at, keys kept only as SHA-256
/// hashes, and finding an entry by a presented key.
/// </summary>
public static class HashedKeyFiles
{
    /// <summary>The file's text, or null when <paramref name="path"/> is unset; a set path to no file is an error.</summary>
    public static string? ReadConfigured(string? path, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"{setting} points at {full}, which does not exist", full);
        }

        return File.ReadAllText(full);
    }

    /// <summary>Refuses anything in <c>apiKeyHashes</c> that is not a SHA-256 hash (64 lower-case hex digits): never a key.</summary>
    public static void RequireHashes(IEnumerable<string>? hashes, string who)
    {
        if ((hashes ?? []).Any(h => h.Length != 64 || !h.All(char.IsAsciiHexDigitLower)))
        {
            throw new InvalidDataException($"{who}: apiKeyHashes holds SHA-256 hashes (64 lower-case hex digits), never keys");
        }
    }

    /// <summary>The id of the entry that holds the hash of <paramref name="apiKey"/>, or null.</summary>
    public static string? FindByApiKey<T>(IReadOnlyList<T> entries, string apiKey, Func<T, IEnumerable<string>?> hashes, Func<T, string> id)
    {
        if (entries.Count == 0 || string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 512)
        {
            return null;
        }

        var hash = ApiKeys.Hash(apiKey);
        return entries.FirstOrDefault(e => (hashes(e) ?? []).Contains(hash, StringComparer.Ordinal)) is { } found ? id(found) : null;
    }
}
