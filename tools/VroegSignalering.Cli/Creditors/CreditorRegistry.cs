using System.Text.Json;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Creditors;

/// <summary>A creditor (signaalpartner) as listed in config/local/creditors.json.</summary>
internal sealed record Creditor(string Id, string Name, IReadOnlyList<string> PartnerTypes, IReadOnlyList<string> ApiKeys);

/// <summary>The local demo creditors: who may signal which partner types, and their local API keys.</summary>
internal sealed class CreditorRegistry(IReadOnlyList<Creditor> creditors)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    public IReadOnlyList<Creditor> All { get; } = creditors;

    public Creditor? Find(string id) => All.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.Ordinal));

    public static CreditorRegistry Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"creditors file '{path}' not found (use --creditors)");
        }

        CreditorsFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CreditorsFile>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CliException($"creditors file '{path}' is not valid JSON: {e.Message}");
        }

        var creditors = new List<Creditor>();
        foreach (var c in file?.Creditors ?? [])
        {
            if (string.IsNullOrWhiteSpace(c.Id))
            {
                throw new CliException($"creditors file '{path}' has a creditor without an id");
            }

            creditors.Add(new Creditor(c.Id, c.Name ?? c.Id, c.PartnerTypes ?? [], c.ApiKeys ?? []));
        }

        if (creditors.Count == 0)
        {
            throw new CliException($"creditors file '{path}' lists no creditors");
        }

        return new CreditorRegistry(creditors);
    }

    private sealed class CreditorsFile
    {
        public List<CreditorEntry>? Creditors { get; set; }
    }

    private sealed class CreditorEntry
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public List<string>? PartnerTypes { get; set; }

        public List<string>? ApiKeys { get; set; }
    }
}
