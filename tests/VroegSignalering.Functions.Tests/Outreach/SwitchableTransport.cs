using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>The real local transport, behind a switch that can refuse (permanently or transiently).</summary>
internal sealed class SwitchableTransport : IOutreachTransport
{
    private Inner? _inner;

    public string? Refuse { get; set; }

    public bool Transient { get; set; }

    /// <summary>Puts this switch in front of the app's local topic transport.</summary>
    public void Install(IServiceCollection services)
    {
        services.AddSingleton(sp => new Inner(sp.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopicTransport>()));
        services.RemoveAll<IOutreachTransport>();
        services.AddSingleton<IOutreachTransport>(sp => With(sp.GetRequiredService<Inner>()));
    }

    public SwitchableTransport With(Inner inner)
    {
        _inner = inner;
        return this;
    }

    public Task<IReadOnlyList<PublishOutcome>> PublishAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        if (Refuse is { } reason)
        {
            return Task.FromResult<IReadOnlyList<PublishOutcome>>(messages.Select(m => new PublishOutcome(m.MessageId, PublishStatus.FailedPermanently, reason)).ToList());
        }

        if (Transient)
        {
            return Task.FromResult<IReadOnlyList<PublishOutcome>>(messages.Select(m => new PublishOutcome(m.MessageId, PublishStatus.FailedTransiently, "503 server busy")).ToList());
        }

        return _inner!.Transport.PublishAsync(messages, cancellationToken);
    }

    public sealed record Inner(IOutreachTransport Transport);
}
