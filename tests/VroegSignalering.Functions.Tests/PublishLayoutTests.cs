using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests;

/// <summary>
/// A real `dotnet publish` of functions/ must be a folder Azure runs as is: host.json at the root,
/// functions.metadata listing every function with its trigger, worker.config.json naming the worker,
/// and the binding extensions under .azurefunctions/. ./test.sh publishes before the tests and passes
/// the folder in VROEG_PUBLISH_DIR.
/// </summary>
public sealed class PublishLayoutTests : IClassFixture<PublishLayoutTests.PublishedApp>
{
    private readonly PublishedApp _published;

    public PublishLayoutTests(PublishedApp published) => _published = published;

    // The contract between code and host: every function, its trigger and the setting or route it binds.
    public static TheoryData<string, string, string> Triggers => new()
    {
        { "IngestSignals", "httpTrigger", "post v1/signals" },
        { "IntakeStatus", "httpTrigger", "get v1/intake/{receiptId}" },
        { "Health", "httpTrigger", "get health" },
        { "OpenApi", "httpTrigger", "get openapi/v1.json" },
        { "RetryOutbox", "httpTrigger", "post v1/operations/outbox/retry" },
        { "ExportDdas", "httpTrigger", "get v1/operations/ddas/{gemeentecode}/{period}" },
        { "KeyUsage", "httpTrigger", "get v1/operations/keys/usage" },
        { "CheckKeyRetirement", "httpTrigger", "get v1/operations/keys/{kind}/{keyId}/retire" },
        { "RewrapKeys", "httpTrigger", "post v1/operations/keys/{kind}/rewrap" },
        { "StorageRequests", "httpTrigger", "get v1/operations/storage-requests" },
        { "RedriveQuarantine", "httpTrigger", "post v1/operations/quarantine/redrive" },
        { "AssignQuarantinedSignal", "httpTrigger", "post v1/operations/quarantine/{signalId}/assignment" },
        { "TaskOutcome", "httpTrigger", "get v1/tasks/{taskId}" },
        { "RecordContactAttempt", "httpTrigger", "post v1/tasks/{taskId}/contactpogingen" },
        { "RecordHelpDecision", "httpTrigger", "post v1/tasks/{taskId}/hulpaanbod" },
        { "CloseCase", "httpTrigger", "post v1/tasks/{taskId}/afsluiting" },
        { "CreditorFeedback", "httpTrigger", "get v1/feedback" },
        { "ProcessSignals", "queueTrigger", "%SignalsIntakeQueue%" },
        { "DispatchOutreach", "queueTrigger", "%DispatchQueue%" },
        { "TriageCases", "timerTrigger", "%TriageCasesSchedule%" },
        { "SweepOutbox", "timerTrigger", "%SweepOutboxSchedule%" },
        { "SamplePipeline", "timerTrigger", "%PipelineGaugesSchedule%" },
        { "EscalateOverdue", "timerTrigger", "%EscalateOverdueSchedule%" },
        { "RunRetention", "httpTrigger", "post v1/operations/retention/run" },
        { "PurgeRetention", "timerTrigger", "%RetentionSchedule%" },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    public void Functions_metadata_lists_the_function_with_its_trigger(string name, string type, string source)
    {
        var function = Assert.Single(_published.Metadata, f => (string?)f["name"] == name);
        var trigger = Assert.Single(function!["bindings"]!.AsArray(), b => ((string)b!["type"]!).EndsWith("Trigger", StringComparison.Ordinal))!;

        Assert.Equal(type, (string?)trigger["type"]);
        var actual = type switch
        {
            "httpTrigger" => $"{string.Join(',', trigger["methods"]!.AsArray().Select(m => (string)m!))} {(string?)trigger["route"]}",
            "queueTrigger" => (string?)trigger["queueName"],
            _ => (string?)trigger["schedule"],
        };
        Assert.Equal(source, actual);
        Assert.Equal("VroegSignalering.Functions.dll", (string?)function["scriptFile"]);
    }

    [Fact]
    public void Every_function_in_the_code_is_in_functions_metadata_and_nothing_else()
    {
        var inCode = typeof(FunctionsRegistration).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

        Assert.Equal(inCode, _published.Metadata.Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(Triggers.Count, _published.Metadata.Count);
    }

    [Fact]
    public void Host_json_sits_at_the_root_without_a_custom_handler_and_the_worker_config_names_the_published_worker()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(_published.Folder, "host.json")))!;
        Assert.Equal("2.0", (string?)host["version"]);
        Assert.Null(host["customHandler"]);
        Assert.Null(host["extensionBundle"]); // an isolated .NET app brings its extensions in .azurefunctions/
        Assert.Equal("api", (string?)host["extensions"]!["http"]!["routePrefix"]);

        var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(_published.Folder, "worker.config.json")))!["description"]!;
        Assert.Equal("dotnet-isolated", (string?)worker["language"]);
        Assert.Equal("dotnet", (string?)worker["defaultExecutablePath"]);
        var dll = (string)worker["defaultWorkerPath"]!;
        Assert.True(File.Exists(Path.Combine(_published.Folder, dll)), $"{dll} is not in the publish folder");
        Assert.True(File.Exists(Path.Combine(_published.Folder, Path.ChangeExtension(dll, ".runtimeconfig.json"))));
    }

    [Fact]
    public void The_binding_extensions_the_host_loads_are_published_under_azurefunctions()
    {
        var extensions = Path.Combine(_published.Folder, ".azurefunctions");
        Assert.True(File.Exists(Path.Combine(extensions, "Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll")));
        Assert.True(File.Exists(Path.Combine(extensions, "Microsoft.Azure.WebJobs.Extensions.FunctionMetadataLoader.dll")));

        var listed = JsonNode.Parse(File.ReadAllText(Path.Combine(_published.Folder, "extensions.json")))!["extensions"]!.AsArray()
            .Select(e => (string)e!["name"]!).ToList();
        Assert.Contains("AzureStorageQueues", listed);
    }

    [Fact]
    public void No_function_json_remains_in_the_repository_or_the_publish_folder()
    {
        static IEnumerable<string> FunctionJson(string root) => Directory.EnumerateFiles(root, "function.json", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        Assert.Empty(FunctionJson(RepositoryRoot.File("functions")));
        Assert.Empty(FunctionJson(_published.Folder));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_package_script_zips_the_folder_with_its_hidden_extensions_and_keeps_the_execute_bit()
    {
        var copy = Directory.CreateTempSubdirectory("vroeg-pkg-").FullName;
        try
        {
            CopyDirectory(_published.Folder, Path.Combine(copy, "app"));
            var script = Path.Combine(copy, "app", "start.sh");
            File.WriteAllText(script, "#!/bin/sh\nexec dotnet VroegSignalering.Functions.dll\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var zipPath = Path.Combine(copy, "app.zip");

            PublishedApp.Run("bash", RepositoryRoot.File("scripts", "package.sh"), Path.Combine(copy, "app"), zipPath);

            using var zip = ZipFile.OpenRead(zipPath);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("host.json", names);
            Assert.Contains("functions.metadata", names);
            Assert.Contains("worker.config.json", names);
            Assert.Contains(".azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", names);
            Assert.Contains("VroegSignalering.Functions.dll", names);
            var mode = (zip.GetEntry("start.sh")!.ExternalAttributes >> 16) & 0x1FF;
            Assert.Equal(0x1ED, mode); // rwxr-xr-x
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    /// <summary>The publish folder from ./test.sh, or a fresh `dotnet publish --no-build` of this build.</summary>
    public sealed class PublishedApp : IDisposable
    {
        private readonly string? _temp;

        public PublishedApp()
        {
            var given = Environment.GetEnvironmentVariable("VROEG_PUBLISH_DIR");
            if (!string.IsNullOrEmpty(given) && File.Exists(Path.Combine(given, "host.json")))
            {
                Folder = given;
            }
            else
            {
#if DEBUG
                const string configuration = "Debug";
#else
                const string configuration = "Release";
#endif
                _temp = Directory.CreateTempSubdirectory("vroeg-publish-").FullName;
                Run("dotnet", "publish", RepositoryRoot.File("functions", "VroegSignalering.Functions.csproj"), "-c", configuration, "--no-build", "-o", _temp, "--nologo");
                Folder = _temp;
            }

            Metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "functions.metadata")))!.AsArray().Select(f => f!.AsObject()).ToList();
        }

        public string Folder { get; }

        public IReadOnlyList<JsonObject> Metadata { get; }

        public static void Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }

        public void Dispose()
        {
            if (_temp is not null)
            {
                Directory.Delete(_temp, recursive: true);
            }
        }
    }
}
