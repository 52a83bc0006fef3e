using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VroegSignalering.Azure;
using VroegSignalering.Core;

namespace VroegSignalering.Cli.Operations;

/// <summary>
/// Options every operations command shares, and the app's own adapters built from them. Configuration
/// comes from the same environment variables the Functions app reads (AzureWebJobsStorage,
/// Storage__TablePrefix, Keys__…, Dispatch__…), so an operator runs `vroeg` with the app's settings;
/// <c>--connection</c> and <c>--table-prefix</c> override them.
/// </summary>
internal sealed class PipelineOptions
{
    public Option<string> Connection { get; } = new("--connection")
    {
        Description = "Storage connection string (default: $AzureWebJobsStorage or $AzureWebJobsStorage__accountName, else the local emulator).",
        HelpName = "connection-string",
    };

    public Option<string> Account { get; } = new("--account")
    {
        Description = "Storage account name for identity-based access (your az login / managed identity), as in Azure where shared keys are off.",
        HelpName = "name",
    };

    public Option<string> TablePrefix { get; } = new("--table-prefix")
    {
        Description = "Table name prefix the app uses (default: $Storage__TablePrefix).",
        HelpName = "prefix",
    };

    public Option<string[]> Settings { get; } = new("--set")
    {
        Description = "Any app setting as key=value (repeatable), e.g. --set Storage:TablePrefix=pilot",
        HelpName = "key=value",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Settings);
        command.Options.Add(Connection);
        command.Options.Add(Account);
        command.Options.Add(TablePrefix);
    }

    /// <summary>
    /// The storage emulator's well-known development account (Azurite, <c>devstoreaccount1</c>) on a loopback
    /// address: the only storage a command may decrypt from on this machine. Anything else is a real account,
    /// whose keys stay in Azure: such a command goes through the app with --api.
    /// </summary>
    public const string DevelopmentAccount = "devstoreaccount1";

    /// <summary>Refuses (exit 2) unless the storage is local development storage; see <see cref="DevelopmentAccount"/>.</summary>
    public static void RequireDevelopmentStorage(IServiceProvider services, string what)
    {
        var tables = services.GetRequiredService<VroegSignalering.Azure.Storage.StorageClients>().Tables;
        if (!IsDevelopmentStorage(tables.AccountName, tables.Uri))
        {
            throw new Cli.UsageException(
                $"{what} needs the app's encryption key, which never leaves Azure: this storage ({tables.Uri.Host}) is not local development storage (Azurite's {DevelopmentAccount} on a loopback address). Run it in the app instead: add --api https://<app>.azurewebsites.net (an Entra ID token with the Operations.Run app role; see docs/operations.md)");
        }
    }

    public static bool IsDevelopmentStorage(string accountName, Uri endpoint) =>
        string.Equals(accountName, DevelopmentAccount, StringComparison.Ordinal) && endpoint.IsLoopback;

    public ServiceProvider Build(ParseResult parseResult)
    {
        var overrides = new Dictionary<string, string?>();
        foreach (var setting in parseResult.GetValue(Settings) ?? [])
        {
            var at = setting.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new Cli.UsageException($"--set expects key=value, got '{setting}'");
            }

            overrides[setting[..at].Replace("__", ":", StringComparison.Ordinal)] = setting[(at + 1)..];
        }

        if (parseResult.GetValue(Connection) is { } connection)
        {
            overrides["AzureWebJobsStorage"] = connection;
        }

        if (parseResult.GetValue(Account) is { } account)
        {
            overrides["AzureWebJobsStorage"] = null;
            overrides["AzureWebJobsStorage:accountName"] = account;
        }

        if (parseResult.GetValue(TablePrefix) is { } prefix)
        {
            overrides["Storage:TablePrefix"] = prefix;
        }

        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var defaults = new Dictionary<string, string?>();
        if (environment["AzureWebJobsStorage"] is null && environment["AzureWebJobsStorage:accountName"] is null)
        {
            defaults["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(defaults)
            .AddConfiguration(environment)
            .AddInMemoryCollection(overrides)
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddVroegCore(configuration);
        services.AddVroegAzure(configuration);
        return services.BuildServiceProvider();
    }
}
