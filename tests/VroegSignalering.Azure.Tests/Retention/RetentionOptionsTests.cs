using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VroegSignalering.Core;
using VroegSignalering.Core.Retention;

namespace VroegSignalering.Azure.Tests.Retention;

/// <summary>The retention terms as the app binds them from its settings and validates them at start.</summary>

public sealed class RetentionOptionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(RetentionKind.QuarantinedSignal, 90)]
    [InlineData(RetentionKind.SignalWithoutCase, 90)]
    [InlineData(RetentionKind.ContactAttempt, 183)]
    [InlineData(RetentionKind.ClosedCaseWithoutHelp, 183)]
    [InlineData(RetentionKind.ClosedCaseWithHelp, 365)]
    [InlineData(RetentionKind.OutboxMessage, 30)]
    [InlineData(RetentionKind.CreditorFeedback, 90)]
    [InlineData(RetentionKind.ReferenceClaim, 365)]
    public void Each_kind_is_due_exactly_when_its_documented_default_term_ends_and_not_a_tick_before(RetentionKind kind, int days)
    {
        var options = new RetentionOptions();

        Assert.Equal(days, options.Days(kind));
        Assert.False(options.Due(kind, "0363", Start, Start.AddDays(days).AddTicks(-1)));
        Assert.True(options.Due(kind, "0363", Start, Start.AddDays(days)));
    }

    [Fact]
    public void A_gemeente_term_overrides_the_default_for_that_gemeente_only_and_a_term_it_leaves_out_takes_the_default()
    {
        var options = Bind(new()
        {
            ["Retention:Default:ClosedCaseWithoutHelpDays"] = "200",
            ["Retention:Gemeenten:0363:ClosedCaseWithoutHelpDays"] = "120",
        });

        Assert.Equal(120, options.Days(RetentionKind.ClosedCaseWithoutHelp, "0363"));
        Assert.Equal(200, options.Days(RetentionKind.ClosedCaseWithoutHelp, "0518"));
        Assert.Equal(365, options.Days(RetentionKind.ClosedCaseWithHelp, "0363"));
        Assert.True(options.Due(RetentionKind.ClosedCaseWithoutHelp, "0363", Start, Start.AddDays(120)));
        Assert.False(options.Due(RetentionKind.ClosedCaseWithoutHelp, "0518", Start, Start.AddDays(120)));
    }

    [Theory]
    [InlineData("Retention:Default:ClosedCaseWithoutHelpDays", "0", "Retention:Default:ClosedCaseWithoutHelpDays is 0: a retention term is a positive number of days")]
    [InlineData("Retention:Default:OutboxMessageDays", "-5", "Retention:Default:OutboxMessageDays is -5: a retention term is a positive number of days")]
    [InlineData("Retention:Gemeenten:0363:ContactAttemptDays", "0", "Retention:Gemeenten:0363:ContactAttemptDays is 0: a retention term is a positive number of days")]
    [InlineData("Retention:Gemeenten:Amsterdam:ContactAttemptDays", "30", "Retention:Gemeenten:Amsterdam is not a gemeentecode")]
    [InlineData("Retention:Gemeenten:0363:QuarantinedSignalDays", "30", "QuarantinedSignal records belong to no gemeente")]
    public void A_bad_retention_setting_stops_the_app_at_start_with_a_message_naming_the_setting(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        using var services = new ServiceCollection().AddVroegCore(configuration).BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RetentionOptions>>().Value);

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Positive_terms_for_every_kind_and_a_gemeente_are_accepted()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retention:Default:ClosedCaseWithoutHelpDays"] = "1",
            ["Retention:Default:QuarantinedSignalDays"] = "1",
            ["Retention:Gemeenten:0363:ClosedCaseWithHelpDays"] = "400",
        }).Build();
        using var services = new ServiceCollection().AddVroegCore(configuration).BuildServiceProvider();

        Assert.Equal(400, services.GetRequiredService<IOptions<RetentionOptions>>().Value.Days(RetentionKind.ClosedCaseWithHelp, "0363"));
    }

    private static RetentionOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new RetentionOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(RetentionOptions.Section).Bind(options);
        return options;
    }
}
