using Microsoft.Extensions.Hosting;
using VroegSignalering.Functions;

// The isolated worker the Functions host starts (worker.config.json).
WorkerApp.CreateBuilder(args).Build().Run();
