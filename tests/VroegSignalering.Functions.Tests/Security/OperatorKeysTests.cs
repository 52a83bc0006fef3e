using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VroegSignalering.Functions.Security;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Security;

/// <summary>Local operator keys: hashes only in the file, and the key ./run.sh --serve prints (scripts/lib/app.sh) opens it.</summary>
public sealed partial class OperatorKeysTests
{
    [Fact]
    public void The_local_operator_key_run_sh_prints_is_the_one_whose_hash_config_local_operators_json_holds()
    {
        var key = OperatorKey().Match(File.ReadAllText(RepositoryRoot.File("scripts", "lib", "app.sh"))).Groups[1].Value;
        var keys = new OperatorKeys(Options.Create(new OperatorOptions { File = RepositoryRoot.File("config", "local", "operators.json") }));

        Assert.StartsWith("local-operator-", key, StringComparison.Ordinal);
        Assert.Equal("local-operator", keys.FindByApiKey(key));
        Assert.DoesNotContain(key, File.ReadAllText(RepositoryRoot.File("config", "local", "operators.json")), StringComparison.Ordinal);
        Assert.Null(keys.FindByApiKey(key + "x"));
    }

    [Fact]
    public void An_operators_file_that_holds_a_key_instead_of_its_hash_is_refused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => OperatorKeys.Parse("""{ "operators": [ { "id": "o", "apiKeyHashes": [ "local-operator-plain-key" ] } ] }"""));

        Assert.Contains("never keys", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_operators_file_as_in_azure_no_key_is_an_operators()
    {
        var keys = new OperatorKeys(Options.Create(new OperatorOptions()));

        Assert.Null(keys.FindByApiKey(TestEnvironment.OperatorKey));
    }

    [GeneratedRegex(@"(?m)^operator_key=(\S+)$")]
    private static partial Regex OperatorKey();
}
