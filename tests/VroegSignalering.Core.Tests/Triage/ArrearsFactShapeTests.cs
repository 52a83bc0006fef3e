using VroegSignalering.Core.Triage;

namespace VroegSignalering.Core.Tests.Triage;

/// <summary>
/// The fairness guarantee starts with the input type: triage cannot use what ArrearsFact does not hold.
/// A field added here must be an arrears fact, and changing this list needs a new policy version and
/// an update of docs/triage.md.
/// </summary>
public class ArrearsFactShapeTests
{
    [Fact]
    public void Triage_input_holds_arrears_facts_only()
    {
        var fields = typeof(ArrearsFact).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
            ["Bedrag", "CreditorId", "Crisissignaal", "EerderBedrag", "Eindeleveringsdatum", "Ontstaansdatum", "PartnerType", "Signaaldatum", "WarmeOverdracht"],
            fields);
    }

    [Fact]
    public void The_policy_entry_point_takes_facts_a_date_a_policy_and_only_whether_a_phone_is_known()
    {
        var parameters = typeof(TriagePolicy).GetMethod(nameof(TriagePolicy.Evaluate))!.GetParameters().Select(p => p.ParameterType).ToArray();

        Assert.Equal([typeof(IReadOnlyList<ArrearsFact>), typeof(DateOnly), typeof(GemeentePolicy), typeof(bool)], parameters);
    }
}
