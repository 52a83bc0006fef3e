using System.Globalization;
using VroegSignalering.Azure.Queues;
using VroegSignalering.Core.Households;
using VroegSignalering.Functions.Hosting;

namespace VroegSignalering.Functions.ProcessSignals;

/// <summary>
/// Queue trigger on signals-intake: one chunk of accepted signals → routed, pseudonymised, encrypted
/// and stored per household. A failure replies non-2xx: the host retries, then poisons the message.
/// </summary>
public sealed class ProcessSignals(QueueMessageCodec codec, SignalProcessor processor) : IFunction
{
    public string Name => "ProcessSignals";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var chunk = codec.DecodeChunk(request.BindingJson("signals"));
        var progress = await processor.ProcessAsync(chunk, cancellationToken);
        return InvocationResult.Success().WithLog(string.Create(CultureInfo.InvariantCulture,
            $"receipt {chunk.ReceiptId} chunk {chunk.Chunk}: {progress.Stored} stored, {progress.AlreadyStored} already stored, {progress.Quarantined} quarantined"));
    }
}
