using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Functions.Intake;
using VroegSignalering.Functions.Outreach;
using VroegSignalering.Functions.Triage;
using VroegSignalering.LocalHost;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Pipeline;

/// <summary>
/// The app on its local host with its own tables and queues on the shared Azurite, and a driver that moves
/// work along the way the Functions host would: it polls the app's queue triggers (functions.metadata)
/// through the local host's listeners and invokes its timer functions.
/// </summary>
public sealed class PipelineApp : IDisposable
{
    private readonly TestApp _app;

    public PipelineApp(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        _app = new TestApp(overrides, services);
        Http = _app.CreateClient();
        Functions = _app.Services.GetRequiredService<LocalFunctions>();
        Storage = StorageClients.FromConnectionString(Azurite.ConnectionString);
        Names = _app.Services.GetRequiredService<StorageNames>();
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public IReadOnlyDictionary<string, string?> Settings => _app.Settings;

    public StorageClients Storage { get; }

    public StorageNames Names { get; }

    /// <summary>The app's functions and trigger listeners, as the local host built them from functions.metadata.</summary>
    public LocalFunctions Functions { get; }

    public async Task<HttpResponseMessage> PostAsync(string apiKey, string body, string contentType = "application/json", string? query = null) =>
        await PostAsync(apiKey, Encoding.UTF8.GetBytes(body), contentType, query);

    public async Task<HttpResponseMessage> PostAsync(string? apiKey, byte[] body, string contentType, string? query = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/signals" + (query is null ? string.Empty : "?" + query))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Processes every queued chunk (ProcessSignals) until the intake queue is empty.</summary>
    public async Task<int> ProcessAllAsync() => await DrainAsync(Functions.Queue(nameof(ProcessSignals)));

    /// <summary>Sends every announced task (DispatchOutreach) until the dispatch queue is empty.</summary>
    public async Task<int> DispatchAllAsync() => await DrainAsync(Functions.Queue(nameof(DispatchOutreach)));

    /// <summary>One TriageCases timer tick; its exception, if any, propagates.</summary>
    public Task TriageAsync() => FireTimerAsync(nameof(TriageCases));

    /// <summary>One SweepOutbox timer tick; its exception, if any, propagates.</summary>
    public Task SweepAsync() => FireTimerAsync(nameof(SweepOutbox));

    /// <summary>Intake queue → triage → dispatch, as far as it goes.</summary>
    public async Task RunPipelineAsync()
    {
        await ProcessAllAsync();
        await TriageAsync();
        await DispatchAllAsync();
    }

    /// <summary>
    /// The vroeg CLI in process against this app's storage (its table prefix and queue names), as an operator
    /// runs it with the app's settings; waits are short and real. Its HTTP calls (--api) reach this app's test
    /// server whatever the host name; no environment variable of the test process reaches it.
    /// </summary>
    public Task<(int Rc, string Out, string Error)> RunCliAsync(params string[] args) => RunCliAsync(null, null, args);

    /// <summary>The same, with a credential for Entra ID tokens and environment variables.</summary>
    public async Task<(int Rc, string Out, string Error)> RunCliAsync(global::Azure.Core.TokenCredential? credential, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new VroegSignalering.Cli.Cli.CliEnvironment
        {
            Out = output,
            Error = error,
            BaseDirectory = RepositoryRoot.Find(),
            Delay = (_, ct) => Task.Delay(50, ct),
            HttpHandler = _app.Server.CreateHandler,
            Credential = credential,
            Variable = name => variables?.GetValueOrDefault(name),
        };
        string[] storage =
        [
            "--connection", Azurite.ConnectionString,
            "--set", "Storage:TablePrefix=" + Settings["Storage:TablePrefix"],
            "--set", "SignalsIntakeQueue=" + Names.SignalsIntakeQueue,
            "--set", "DispatchQueue=" + Names.DispatchQueue,
        ];
        var rc = await VroegSignalering.Cli.Program.RunAsync([.. args, .. storage], env);
        return (rc, output.ToString(), error.ToString());
    }

    /// <summary>Invokes a timer function once, in its own service scope, as its listener would.</summary>
    public async Task FireTimerAsync(string functionName)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var now = DateTimeOffset.UtcNow;
        var timer = new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = now.UtcDateTime, Next = now.AddMinutes(5).UtcDateTime, LastUpdated = now.UtcDateTime } };
        await Functions[functionName].InvokeAsync(scope.ServiceProvider, new TriggerInput(Timer: timer), CancellationToken.None);
    }

    /// <summary>Every row of a table; a table that does not exist is an error, never read as empty.</summary>
    public async Task<List<TableEntity>> EntitiesAsync(string table)
    {
        var list = new List<TableEntity>();
        try
        {
            await foreach (var e in Storage.Tables.GetTableClient(table).QueryAsync<TableEntity>())
            {
                list.Add(e);
            }
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Table '{table}' does not exist: nothing has written to it. Assert that with TableExistsAsync, not as an empty table.", ex);
        }

        return list;
    }

    public async Task<bool> TableExistsAsync(string table)
    {
        await foreach (var _ in Storage.Tables.QueryAsync(t => t.Name == table))
        {
            return true;
        }

        return false;
    }

    public async Task<List<TableEntity>> RowsAsync(string rowKeyPrefix) =>
        (await HouseholdEntitiesAsync()).Where(e => e.RowKey.StartsWith(rowKeyPrefix, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Every row of every household table that exists (they are 256 shards, each created on first use);
    /// when none exists, no household was ever stored, and that is an error, not an empty list.
    /// </summary>
    public async Task<List<TableEntity>> HouseholdEntitiesAsync()
    {
        var shards = Names.AllHouseholdTables.ToHashSet(StringComparer.Ordinal);
        var existing = new List<string>();
        await foreach (var table in Storage.Tables.QueryAsync())
        {
            if (shards.Contains(table.Name))
            {
                existing.Add(table.Name);
            }
        }

        if (existing.Count == 0)
        {
            throw new InvalidOperationException($"No household table ({Names.AllHouseholdTables.First()} … {Names.AllHouseholdTables.Last()}) exists: no household was ever stored.");
        }

        var all = new List<TableEntity>();
        foreach (var table in existing)
        {
            all.AddRange(await EntitiesAsync(table));
        }

        return all;
    }

    public void Dispose()
    {
        Http.Dispose();
        _app.Dispose();
    }

    private static async Task<int> DrainAsync(QueueTriggerListener listener)
    {
        var total = 0;
        for (var round = 0; round < 1000; round++)
        {
            var n = await listener.PollOnceAsync(CancellationToken.None);
            if (n == 0)
            {
                return total;
            }

            total += n;
        }

        throw new InvalidOperationException($"queue {listener.QueueName} did not drain");
    }
}
