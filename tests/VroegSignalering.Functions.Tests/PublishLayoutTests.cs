using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Functions.Hosting;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests;

/// <summary>
/// A real `dotnet publish` of functions/ must be a folder Azure runs as is: host.json at the root, one
/// folder per function with its function.json, and the handler that host.json names.
/// ./test.sh publishes before the tests and passes the folder in VROEG_PUBLISH_DIR.
/// </summary>
public sealed class PublishLayoutTests : IClassFixture<PublishLayoutTests.PublishedApp>
{
    private readonly PublishedApp _published;

    public PublishLayoutTests(PublishedApp published) => _published = published;

    [Fact]
    public void Host_json_sits_at_the_root_and_names_a_handler_that_was_published()
    {
        var host = FunctionDefinitions.LoadHost(_published.Folder);

        Assert.Equal("dotnet", host.HandlerExecutable);
        var handler = Assert.Single(host.HandlerArguments);
        Assert.True(File.Exists(Path.Combine(_published.Folder, handler)), $"{handler} is not in the publish folder");
        Assert.True(File.Exists(Path.Combine(_published.Folder, Path.ChangeExtension(handler, ".runtimeconfig.json"))));
        Assert.True(host.ForwardsHttpRequests);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_published.Folder, "host.json")));
        Assert.Equal("[4.*, 5.0.0)", doc.RootElement.GetProperty("extensionBundle").GetProperty("version").GetString());
    }

    [Fact]
    public void Every_function_in_the_source_tree_is_published_with_its_function_json()
    {
        var source = Directory.EnumerateFiles(RepositoryRoot.File("functions"), "function.json", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => Path.GetFileName(Path.GetDirectoryName(p)!))
            .Order(StringComparer.Ordinal)
            .ToList();

        var published = FunctionDefinitions.Load(_published.Folder).Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Contains("Health", published);
        Assert.Equal(source, published);
    }

    [Fact]
    public void Every_function_json_parses_and_names_a_handler_route_that_exists()
    {
        using var app = new TestApp();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var catalog = app.Services.GetRequiredService<FunctionCatalog>();
        var host = FunctionDefinitions.LoadHost(_published.Folder);

        foreach (var function in FunctionDefinitions.Load(_published.Folder))
        {
            var trigger = function.Trigger;
            if (function.IsHttp)
            {
                var route = "/" + host.RoutePrefix + "/" + (trigger.Text("route") ?? function.Name);
                var methods = trigger.TextList("methods").Select(m => m.ToUpperInvariant()).ToList();
                var matching = endpoints.Where(e => Normalise(e.RoutePattern.RawText) == Normalise(route)).ToList();
                Assert.True(matching.Count > 0, $"{function.Name}: no endpoint serves {route}");
                foreach (var method in methods)
                {
                    Assert.True(
                        matching.Any(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? true),
                        $"{function.Name}: no endpoint serves {method} {route}");
                }
            }
            else
            {
                Assert.True(catalog.TryGet(function.Name, out _), $"{function.Name}: no IFunction named {function.Name} handles POST /{function.Name}");
            }
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_package_script_zips_the_folder_and_keeps_the_execute_bit()
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
            Assert.Contains("Health/function.json", names);
            Assert.Contains("VroegSignalering.Functions.dll", names);
            var mode = (zip.GetEntry("start.sh")!.ExternalAttributes >> 16) & 0x1FF;
            Assert.Equal(0x1ED, mode); // rwxr-xr-x
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static string Normalise(string? route) => (route ?? string.Empty).Trim('/').ToLowerInvariant();

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
                return;
            }

#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            _temp = Directory.CreateTempSubdirectory("vroeg-publish-").FullName;
            Run("dotnet", "publish", RepositoryRoot.File("functions", "VroegSignalering.Functions.csproj"), "-c", configuration, "--no-build", "-o", _temp, "--nologo");
            Folder = _temp;
        }

        public string Folder { get; }

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
