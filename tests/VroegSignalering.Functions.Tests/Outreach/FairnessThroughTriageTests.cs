using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VroegSignalering.Azure.Messaging;
using VroegSignalering.Core.Common;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Tests.Pipeline;

namespace VroegSignalering.Functions.Tests.Outreach;

/// <summary>
/// The fairness guard (DOMAIN.md, "Hard lines") on the real path, not only the pure composer: generated pairs of
/// households with the same arrears facts and the same "phone known" answer, but different people — names,
/// prefix, birth date and age, BSN, e-mail, address with wijk and buurt, one or two residents — go through
/// ProcessSignals' use case (routing, pseudonymising, encryption into Azurite) and the TriageCases timer (which
/// reads the households back, decrypts the people into the task message) and the dispatcher. The task rows and
/// the messages the team receives must carry the same priority, score, reasons, due date and channel; the team
/// may differ only as docs/triage.md chapter 8 says (age to the jongerenteam, wijk 059902 to its wijk team).
/// </summary>
public sealed class FairnessThroughTriageTests : IDisposable
{
    private const int Pairs = 36;
    private const int Seed = 20_261_129;
    private const string Gemeente = "0599";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 20);

    // Both postcodes lie in gemeente 0599 (tests' CBS sample): 3011AA in wijk 059901, 3011AB in wijk 059902.
    private static readonly (string Postcode, string Wijk)[] Addresses = [("3011AA", "059901"), ("3011AB", "059902")];
    private static readonly (string Id, PartnerType Type)[] Creditors =
        [("test-huur", PartnerType.Huur), ("test-energie", PartnerType.Energie), ("test-water", PartnerType.Water), ("test-zorg", PartnerType.Zorg)];

    private static readonly string[] Initials = ["J.", "A.B.", "M.", "Ö.", "Ĳ.", "S.K."];
    private static readonly string?[] Prefixes = [null, "van", "van der", "de", "'t", "el", "d'"];
    private static readonly string[] Surnames = ["Jansen", "Öztürk", "Ĳzerman", "N'Diaye", "Nguyen", "Kowalski", "El Amrani", "Boateng", "Yılmaz", "Pérez"];
    private static readonly string[] Streets = ["Dorpsstraat", "Laan van Nieuw Oost-Indië", "Bijlmerdreef", "Javastraat"];

    private readonly FakeTimeProvider _time = new(Now);
    private readonly PipelineApp _app;

    public FairnessThroughTriageTests()
    {
        _app = new PipelineApp(
            new Dictionary<string, string?>
            {
                ["Dispatch:SweepAfter"] = "00:00:00",
                [$"Triage:Gemeenten:{Gemeente}:YouthRoute:MinAge"] = "18",
                [$"Triage:Gemeenten:{Gemeente}:YouthRoute:MaxAge"] = "27",
                [$"Triage:Gemeenten:{Gemeente}:YouthRoute:Team"] = "jongerenteam",
                [$"Triage:Gemeenten:{Gemeente}:TeamsByWijk:059902"] = "wijkteam-zuid",
            },
            services: s => s.AddSingleton<TimeProvider>(_time));
    }

    [Fact]
    public async Task Households_with_the_same_arrears_get_the_same_decision_through_storage_and_the_team_differs_only_by_documented_routing()
    {
        var random = new Random(Seed);
        var numbers = new[] { 1, 1 };
        var variants = new List<Variant>();
        for (var i = 0; i < Pairs; i++)
        {
            var facts = Facts(random);
            variants.Add(Household(random, $"f{i}a", facts, numbers));
            variants.Add(Household(random, $"f{i}b", facts, numbers));
        }

        var processor = _app.Services.GetRequiredService<SignalProcessor>();
        var receipt = 0;
        foreach (var v in variants)
        {
            foreach (var (creditor, signal, id) in v.Signals)
            {
                var chunk = new SignalChunk($"r-{receipt++}", 0, creditor, Now, null, [new QueuedSignal(id, "hash-" + id, signal)]);
                await processor.ProcessAsync(chunk, CancellationToken.None);
            }
        }

        await _app.TriageAsync();
        await _app.DispatchAllAsync();

        var tasks = await _app.RowsAsync("t|");
        var messages = await TaskMessagesAsync();
        Assert.Equal(variants.Count, tasks.Count);
        Assert.Equal(variants.Count, messages.Count);

        var teamsDiffer = 0;
        var channels = new HashSet<string>(StringComparer.Ordinal);
        var priorities = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Pairs; i++)
        {
            var (a, b) = (variants[2 * i], variants[(2 * i) + 1]);
            var (taskA, taskB) = (TaskOf(tasks, a), TaskOf(tasks, b));
            var (messageA, messageB) = (MessageOf(messages, taskA), MessageOf(messages, taskB));
            var where = $"pair {i} (seed {Seed}): {a} versus {b}";

            foreach (var column in new[] { "Priority", "Score", "Reasons", "Channel", "DueDate", "PolicyVersion", "Revision" })
            {
                Assert.True(Equals(taskA[column], taskB[column]), $"{where}: task {column} {taskA[column]} versus {taskB[column]}");
            }

            foreach (var field in new[] { "priority", "score", "reasons", "recommendedChannel", "dueDate", "policyVersion", "revision" })
            {
                Assert.True(JsonNode.DeepEquals(messageA[field], messageB[field]), $"{where}: message {field} {messageA[field]?.ToJsonString()} versus {messageB[field]?.ToJsonString()}");
            }

            Assert.True(a.DocumentedTeam == taskA.GetString("Team") && a.DocumentedTeam == (string?)messageA["team"], $"{where}: team {taskA.GetString("Team")}, documented {a.DocumentedTeam}");
            Assert.True(b.DocumentedTeam == taskB.GetString("Team") && b.DocumentedTeam == (string?)messageB["team"], $"{where}: team {taskB.GetString("Team")}, documented {b.DocumentedTeam}");
            teamsDiffer += a.DocumentedTeam == b.DocumentedTeam ? 0 : 1;
            channels.Add(taskA.GetString("Channel")!);
            priorities.Add(taskA.GetString("Priority")!);
        }

        // The generator must reach the branches a personal attribute could bend: both channels, urgent and not,
        // and pairs whose teams rightly differ.
        Assert.True(teamsDiffer >= 8, $"only {teamsDiffer} pairs route to different teams");
        Assert.Equal(["Huisbezoek", "Telefoon"], channels.Order(StringComparer.Ordinal));
        Assert.True(priorities.Contains("Spoed") && priorities.Count >= 3, $"priorities reached: {string.Join(',', priorities)}");
        Assert.Contains(variants, v => v.Ages.Any(age => age > 70));
    }

    public void Dispose() => _app.Dispose();

    private static List<Fact> Facts(Random random)
    {
        var count = random.Next(1, 4);
        var facts = new List<Fact>();
        var phoneKnown = random.Next(2) == 0;
        foreach (var (creditor, type) in Creditors.OrderBy(_ => random.Next()).Take(count))
        {
            var signaaldatum = Today.AddDays(-random.Next(0, 10));
            var utility = type is PartnerType.Energie or PartnerType.Water;
            facts.Add(new Fact(creditor, type, Math.Round((decimal)random.NextDouble() * 6_000m + 40m, 2), signaaldatum.AddDays(-random.Next(20, 150)), signaaldatum,
                random.Next(8) == 0, random.Next(6) == 0, utility && random.Next(3) == 0 ? signaaldatum.AddDays(random.Next(5, 60)) : null, phoneKnown));
        }

        return facts;
    }

    /// <summary>One household over <paramref name="facts"/>: its own address, one or two residents, each drawn freely.</summary>
    private static Variant Household(Random random, string name, List<Fact> facts, int[] numbers)
    {
        var at = random.Next(2);
        if (numbers[at] > 40)
        {
            at = 1 - at;
        }

        var (postcode, wijk) = Addresses[at];
        var huisnummer = numbers[at]++;
        var toevoeging = new[] { null, "A", "2", "bis" }[random.Next(4)];
        var street = Streets[random.Next(Streets.Length)];
        var residents = Enumerable.Range(0, random.Next(1, 3)).Select(_ => DrawResident(random)).ToList();
        var signals = new List<(string, IncomingSignal, string)>();
        var ages = new List<int>();
        for (var j = 0; j < facts.Count; j++)
        {
            var f = facts[j];
            var r = residents[random.Next(residents.Count)];
            ages.Add(SignalProcessor.AgeOn(r.Birth, f.Signaaldatum));
            var client = new ClientDetails(r.Bsn, r.Initials, r.Prefix, r.Surname, r.Birth, street, postcode, huisnummer, toevoeging, "Rotterdam",
                f.PhoneKnown ? r.Phone : null, r.Email);
            var signal = new IncomingSignal($"REF-{name}-{j}", f.Type, f.Bedrag, f.Ontstaansdatum, f.Signaaldatum, f.Crisis, f.Warm, f.Eind,
                new Voorwaarden(f.Signaaldatum.AddDays(-10), true, true), client);
            signals.Add((f.Creditor, signal, $"{name}s{j}"));
        }

        // docs/triage.md chapter 8, "Teams", with this gemeente's settings.
        var team = ages.Any(a => a is >= 18 and <= 27) ? "jongerenteam" : wijk == "059902" ? "wijkteam-zuid" : "schuldhulpverlening";
        return new Variant(name, wijk, ages, team, signals);
    }

    private static Resident DrawResident(Random random)
    {
        // A third in the jongerenteam's range, the rest from 16 to 100.
        var age = random.Next(3) == 0 ? random.Next(18, 28) : random.Next(16, 101);
        var birth = Today.AddYears(-age).AddDays(-random.Next(0, 360));
        var surname = Surnames[random.Next(Surnames.Length)];
        return new Resident(
            Initials[random.Next(Initials.Length)], Prefixes[random.Next(Prefixes.Length)], surname, birth,
            random.Next(2) == 0 ? ElevenProof(random) : null,
            "06" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture),
            random.Next(2) == 0 ? $"{surname.ToLowerInvariant().Replace(' ', '.').Replace('\'', '.')}{random.Next(100).ToString(CultureInfo.InvariantCulture)}@example.nl" : null);
    }

    private static string ElevenProof(Random random)
    {
        while (true)
        {
            var digits = Enumerable.Range(0, 8).Select(_ => random.Next(10)).ToArray();
            var sum = digits.Select((d, k) => d * (9 - k)).Sum();
            var last = sum % 11;
            if (digits[0] != 0 && last < 10)
            {
                return string.Concat(digits) + last.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private static TableEntity TaskOf(List<TableEntity> tasks, Variant v)
    {
        var ids = v.Signals.Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        return Assert.Single(tasks, t => (t.GetString("SignalIds") ?? string.Empty).Split(',').Order(StringComparer.Ordinal).SequenceEqual(ids));
    }

    private static JsonNode MessageOf(List<LocalServiceBusMessage> messages, TableEntity task) =>
        JsonNode.Parse(Assert.Single(messages, m => m.MessageId == task.RowKey[2..]).Body)!;

    private async Task<List<LocalServiceBusMessage>> TaskMessagesAsync()
    {
        // Strict: a topic never written to throws (404) rather than reading as "no tasks".
        return [.. await _app.Services.GetRequiredService<VroegSignalering.Azure.Transport.LocalTopic>().PeekAsync(Gemeente, int.MaxValue, CancellationToken.None)];
    }

    private sealed record Fact(string Creditor, PartnerType Type, decimal Bedrag, DateOnly Ontstaansdatum, DateOnly Signaaldatum, bool Crisis, bool Warm, DateOnly? Eind, bool PhoneKnown);

    private sealed record Resident(string Initials, string? Prefix, string Surname, DateOnly Birth, string? Bsn, string Phone, string? Email);

    private sealed record Variant(string Name, string Wijk, List<int> Ages, string DocumentedTeam, List<(string Creditor, IncomingSignal Signal, string Id)> Signals)
    {
        public override string ToString() => $"{Name} wijk {Wijk}, ages {string.Join('/', Ages)}";
    }
}
