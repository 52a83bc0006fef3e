namespace VroegSignalering.Functions.Hosting;

/// <summary>
/// A non-HTTP function (timer, queue or Service Bus trigger). The host POSTs invocations to
/// <c>/{Name}</c>; <see cref="Name"/> must equal the folder name of its function.json.
/// HTTP functions are proxied by the host and are plain ASP.NET Core endpoints instead.
/// </summary>
public interface IFunction
{
    string Name { get; }

    Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}
