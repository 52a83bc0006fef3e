using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Creditors;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Azure.Tables;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Intake;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Creditors;

public class CreditorRegistryTests
{
    [Fact]
    public async Task The_table_registry_stores_only_key_hashes_and_finds_a_creditor_by_either_of_two_keys()
    {
        var names = new StorageNames { TablePrefix = Azurite.UniqueName("c"), SignalsIntakeQueue = "x", DispatchQueue = "y" };
        var tables = new TableSet(Azurite.Clients(), names);
        var registry = new TableCreditorRegistry(tables, Options.Create(new CreditorOptions()), TimeProvider.System);
        var current = ApiKeys.NewKey("wbc-test");
        var previous = ApiKeys.NewKey("wbc-test");

        await registry.SaveAsync(new Creditor("wbc-test", "Test", new HashSet<PartnerType> { PartnerType.Huur }), [ApiKeys.Hash(current), ApiKeys.Hash(previous)], [], CancellationToken.None);

        Assert.Equal("wbc-test", (await registry.FindByApiKeyAsync(current, CancellationToken.None))?.Id);
        Assert.Equal("wbc-test", (await registry.FindByApiKeyAsync(previous, CancellationToken.None))?.Id);
        Assert.Null(await registry.FindByApiKeyAsync("vs_wbc-test_guess", CancellationToken.None));
        var table = await tables.GetAsync(names.Creditors, CancellationToken.None);
        await foreach (var row in table.QueryAsync<global::Azure.Data.Tables.TableEntity>())
        {
            foreach (var (_, value) in row)
            {
                Assert.DoesNotContain(current, value?.ToString() ?? string.Empty, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_third_active_key_is_refused()
    {
        var names = new StorageNames { TablePrefix = Azurite.UniqueName("c"), SignalsIntakeQueue = "x", DispatchQueue = "y" };
        var registry = new TableCreditorRegistry(new TableSet(Azurite.Clients(), names), Options.Create(new CreditorOptions()), TimeProvider.System);

        await Assert.ThrowsAsync<ArgumentException>(() => registry.SaveAsync(
            new Creditor("x", "X", new HashSet<PartnerType> { PartnerType.Water }), ["a", "b", "c"], [], CancellationToken.None));
    }

    [Fact]
    public void The_local_file_refuses_unknown_partner_types_and_more_than_two_keys()
    {
        Assert.Throws<InvalidDataException>(() => FileCreditorRegistry.Parse("""{"creditors":[{"id":"a","name":"A","partnerTypes":["Gas"],"apiKeys":["k"],"entraAppIds":[]}]}"""));
        Assert.Throws<InvalidDataException>(() => FileCreditorRegistry.Parse("""{"creditors":[{"id":"a","name":"A","partnerTypes":["Huur"],"apiKeys":["k1","k2","k3"],"entraAppIds":[]}]}"""));
    }

    [Fact]
    public async Task The_shipped_local_creditors_file_parses_and_each_creditor_signs_in_with_its_key()
    {
        var text = await File.ReadAllTextAsync(RepositoryRoot.File("config", "local", "creditors.json"));
        var entries = FileCreditorRegistry.Parse(text);

        Assert.Equal(7, entries.Count);
        Assert.All(entries, e => Assert.Single(e.ApiKeyHashes));
    }
}
