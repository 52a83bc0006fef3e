using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VroegSignalering.Benchmarks;

// Stands in for the Service Bus REST endpoint on 127.0.0.1: reads each request body and answers 201,
// so the benchmark measures our batching, serialization and HTTP path rather than a broker.
internal sealed class LocalServiceBus : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;
    private long _bytes;

    private LocalServiceBus(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);

    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<LocalServiceBus> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var local = new LocalServiceBus(app);
        app.Run(async context =>
        {
            var buffer = new byte[16 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            Interlocked.Increment(ref local._requests);
            Interlocked.Add(ref local._bytes, total);
            context.Response.StatusCode = 201;
        });
        await app.StartAsync();
        local.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return local;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
