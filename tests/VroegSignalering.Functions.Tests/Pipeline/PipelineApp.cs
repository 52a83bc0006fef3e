using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Functions.Hosting;
using VroegSignalering.Functions.Hosting.Standalone;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Pipeline;

/// <summary>
/// The real app on a test server with its own tables and queues on the shared Azurite, and a driver that
/// moves work along the way the Functions host would: it polls the app's own function.json queues
/// through the standalone listeners and fires timer functions with host-shaped payloads.
/// </summary>
public sealed class PipelineApp : IDisposable
{
    private readonly TestApp _app;
    private readonly TriggerListenerFactory.Listeners _listeners;

    public PipelineApp(IDictionary<string, string?>? overrides = null, IEnumerable<IFunction>? extraFunctions = null, Action<IServiceCollection>? services = null)
    {
        var settings = TestEnvironment.Settings();
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        _app = new TestApp(extraFunctions, settings, services);
        Http = _app.CreateClient();
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .AddInMemoryCollection(settings).Build();
        var options = Options.Create(new StandaloneOptions { MessageLease = TimeSpan.FromMinutes(5) });
        Listeners = new TriggerListenerFactory(configuration, TimeProvider.System, options, NullLoggerFactory.Instance);
        _listeners = Listeners.Create(AppContext.BaseDirectory, new HttpFunctionInvoker(Http));
        Settings = settings;
        Storage = StorageClients.FromConnectionString(Azurite.ConnectionString);
        Names = StorageNames.FromConfiguration(configuration);
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public StorageClients Storage { get; }

    public StorageNames Names { get; }

    public TriggerListenerFactory Listeners { get; }

    public QueueTriggerListener Queue(string functionName) =>
        _listeners.Queues.Single(q => q.QueueName == (functionName == "ProcessSignals" ? Names.SignalsIntakeQueue : Names.DispatchQueue));

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
    public async Task<int> ProcessAllAsync() => await DrainAsync(Queue("ProcessSignals"));

    /// <summary>Sends every announced task (DispatchOutreach) until the dispatch queue is empty.</summary>
    public async Task<int> DispatchAllAsync() => await DrainAsync(Queue("DispatchOutreach"));

    /// <summary>One TriageCases timer tick.</summary>
    public Task<HttpResponseMessage> TriageAsync() => FireTimerAsync("TriageCases");

    /// <summary>One SweepOutbox timer tick.</summary>
    public Task<HttpResponseMessage> SweepAsync() => FireTimerAsync("SweepOutbox");

    /// <summary>Intake queue → triage → dispatch, as far as it goes.</summary>
    public async Task RunPipelineAsync()
    {
        await ProcessAllAsync();
        (await TriageAsync()).EnsureSuccessStatusCode();
        await DispatchAllAsync();
    }

    /// <summary>
    /// The vroeg CLI in process against this app's storage (its table prefix and queue names), as an operator
    /// runs it with the app's settings; waits are short and real.
    /// </summary>
    public async Task<(int Rc, string Out, string Error)> RunCliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new VroegSignalering.Cli.Cli.CliEnvironment { Out = output, Error = error, BaseDirectory = RepositoryRoot.Find(), Delay = (_, ct) => Task.Delay(50, ct) };
        string[] storage =
        [
            "--connection", Azurite.ConnectionString,
            "--set", "Storage:TablePrefix=" + Settings["Storage:TablePrefix"],
            "--set", "SignalsIntakeQueue=" + Names.SignalsIntakeQueue,
            "--set", "DispatchQueue=" + Names.DispatchQueue,
            "--set", "Dispatch:StorageQueue:Prefix=" + Settings["Dispatch:StorageQueue:Prefix"],
        ];
        var rc = await VroegSignalering.Cli.Program.RunAsync([.. args, .. storage], env);
        return (rc, output.ToString(), error.ToString());
    }

    public async Task<HttpResponseMessage> FireTimerAsync(string functionName)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = HostPayloads.Timer(functionName, "timer", now, null, now.AddMinutes(5), false);
        var response = await new HttpFunctionInvoker(Http).InvokeAsync(functionName, payload, CancellationToken.None);
        return new HttpResponseMessage((System.Net.HttpStatusCode)response.StatusCode);
    }

    public async Task<List<TableEntity>> EntitiesAsync(string table)
    {
        var client = Storage.Tables.GetTableClient(table);
        var list = new List<TableEntity>();
        try
        {
            await foreach (var e in client.QueryAsync<TableEntity>())
            {
                list.Add(e);
            }
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return list;
    }

    public async Task<List<TableEntity>> RowsAsync(string rowKeyPrefix) =>
        (await HouseholdEntitiesAsync()).Where(e => e.RowKey.StartsWith(rowKeyPrefix, StringComparison.Ordinal)).ToList();

    /// <summary>Every row of every household table.</summary>
    public async Task<List<TableEntity>> HouseholdEntitiesAsync()
    {
        var all = new List<TableEntity>();
        foreach (var table in Names.AllHouseholdTables)
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
