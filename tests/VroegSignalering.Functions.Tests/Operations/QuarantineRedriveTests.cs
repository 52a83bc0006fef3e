using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using VroegSignalering.Azure.Transport;
using VroegSignalering.Core.Quarantine;
using VroegSignalering.Functions.Tests.Pipeline;
using VroegSignalering.Testing;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>
/// Quarantine is not a dead end, on real Azurite: a signal whose address was not in the address file is re-driven after the
/// file is updated (or assigned a gemeente by hand) and ends in a dispatched task, once; a dry run changes nothing; the
/// audit row of a manual assignment holds no personal data; bad input changes nothing.
/// </summary>
public sealed class QuarantineRedriveTests : IDisposable
{
    // The synthetic signal's personal data, to prove none of it reaches the audit trail.
    private const string Postcode = TestSignals.UnroutablePostcode;
    private const int Huisnummer = 5;
    private const string Achternaam = "Kwarantijn-Testdata";
    private const string Telefoon = "0611223344";
    private const string Email = "k.kwarantijn@example.nl";

    private readonly string _folder = Directory.CreateTempSubdirectory("vroeg-quarantine-").FullName;
    private readonly string _addressFile;
    private readonly PipelineApp _app;

    public QuarantineRedriveTests()
    {
        _addressFile = Path.Combine(_folder, "cbs.csv");
        File.Copy(TestEnvironment.DataFile("cbs-sample.csv"), _addressFile);
        _app = new PipelineApp(new Dictionary<string, string?>
        {
            ["AddressRegistry:CbsFile"] = _addressFile,
            ["Dispatch:SweepAfter"] = "00:00:00",
        });
    }

    [Fact]
    public async Task A_quarantined_signal_re_driven_after_its_address_is_added_to_the_address_file_ends_in_a_dispatched_task()
    {
        var signalId = await QuarantineOneAsync("QR-1");
        AddAddressToFile();

        var answer = await RedriveAsync("{}");

        Assert.Equal(1, (int)answer["examined"]!);
        Assert.Equal(1, (int)answer["stored"]!);
        Assert.Equal(0, (int)answer["stillQuarantined"]!);
        Assert.Null((string?)answer["next"]);
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        var stored = Assert.Single(await _app.RowsAsync("s|"));
        Assert.Equal("s|" + signalId, stored.RowKey);
        Assert.Equal("0363", stored.GetString("Gemeente"));

        await _app.TriageAsync();
        await _app.DispatchAllAsync();

        Assert.Equal("Dispatched", Assert.Single(await _app.RowsAsync("o|")).GetString("Status"));
        Assert.Equal(1, await Topic().CountAsync("0363", CancellationToken.None));
    }

    [Fact]
    public async Task A_redrive_cut_short_between_storing_and_removing_the_quarantine_row_stores_the_signal_once_when_run_again()
    {
        await QuarantineOneAsync("QR-2");
        var row = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        AddAddressToFile();
        await RedriveAsync("{}");

        // The crash: the signal is in its household but its quarantine row is still there.
        await _app.Storage.Tables.GetTableClient(_app.Names.Quarantine).UpsertEntityAsync(new TableEntity(row), TableUpdateMode.Replace);
        var again = await RedriveAsync("{}");

        Assert.Equal(0, (int)again["stored"]!);
        Assert.Equal(1, (int)again["alreadyStored"]!);
        Assert.Single(await _app.RowsAsync("s|"));
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        await _app.TriageAsync();
        await _app.DispatchAllAsync();
        Assert.Single(await _app.RowsAsync("t|"));
        Assert.Equal(1, await Topic().CountAsync("0363", CancellationToken.None));
    }

    [Fact]
    public async Task A_dry_run_counts_what_would_leave_quarantine_and_changes_nothing()
    {
        await QuarantineOneAsync("QR-3");
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        AddAddressToFile();

        var dry = await RedriveAsync("""{"dryRun":true}""");

        Assert.True((bool)dry["dryRun"]!);
        Assert.Equal(1, (int)dry["routed"]!);
        Assert.Equal(0, (int)dry["stored"]!);
        var after = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal(before.ETag, after.ETag);
        Assert.False(await AnyHouseholdTableAsync(), "a dry run may store no signal");
        // The change feed may exist (processing touched it) but must hold no mark.
        Assert.True(!await _app.TableExistsAsync(_app.Names.Changes) || (await _app.EntitiesAsync(_app.Names.Changes)).Count == 0, "a dry run may mark no household for triage");
    }

    [Fact]
    public async Task A_signal_whose_address_still_does_not_route_stays_in_quarantine_with_its_reason_and_age()
    {
        await QuarantineOneAsync("QR-4");
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        var answer = await RedriveAsync("{}");

        Assert.Equal(1, (int)answer["stillQuarantined"]!);
        Assert.Equal(1, (int)answer["stillQuarantinedByReason"]!["address.not_found"]!);
        var after = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal(before.GetDateTimeOffset("QuarantinedAt"), after.GetDateTimeOffset("QuarantinedAt"));
        Assert.False(await AnyHouseholdTableAsync());
    }

    [Fact]
    public async Task Pages_carry_on_after_the_cursor_until_every_signal_was_examined()
    {
        await QuarantineOneAsync("QR-5A", huisnummer: 5);
        await QuarantineOneAsync("QR-5B", huisnummer: 6);
        await QuarantineOneAsync("QR-5C", huisnummer: 7);

        var first = await RedriveAsync("""{"limit":2}""");
        var second = await RedriveAsync(new JsonObject { ["limit"] = 2, ["after"] = (string?)first["next"] }.ToJsonString());

        Assert.Equal(2, (int)first["examined"]!);
        Assert.NotNull((string?)first["next"]);
        Assert.Equal(1, (int)second["examined"]!);
        Assert.Null((string?)second["next"]);
    }

    [Fact]
    public async Task A_gemeente_assigned_by_hand_is_audited_without_personal_data_and_the_signal_ends_in_a_dispatched_task()
    {
        var signalId = await QuarantineOneAsync("QR-6");

        using var response = await AssignAsync(signalId, """{"gemeentecode":"GM0599","reasonCode":"address.new_build"}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("0599", (string?)JsonNode.Parse(text)!["gemeentecode"]);
        var audit = Assert.Single(await _app.EntitiesAsync(_app.Names.QuarantineAudit));
        Assert.Equal("0599", audit.PartitionKey);
        Assert.Equal(signalId, audit.GetString("SignalId"));
        Assert.Equal("address.new_build", audit.GetString("ReasonCode"));
        Assert.Equal(TestEnvironment.OperatorId, audit.GetString("OperatorId"));
        Assert.NotNull(audit.GetDateTimeOffset("At"));
        Assert.Equal(
            ["At", "OperatorId", "PartitionKey", "ReasonCode", "RowKey", "SignalId", "Timestamp", "odata.etag"],
            audit.Keys.Order(StringComparer.Ordinal).ToArray());
        var values = string.Join('\n', audit.Select(p => p.Value).Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var personal in new[] { Postcode, "Proefstraat", Achternaam, Telefoon, Email, "Q.X." })
        {
            Assert.DoesNotContain(personal, values, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        var stored = Assert.Single(await _app.RowsAsync("s|"));
        Assert.Equal("0599", stored.GetString("Gemeente"));
        await _app.TriageAsync();
        await _app.DispatchAllAsync();
        Assert.Equal(1, await Topic().CountAsync("0599", CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"gemeentecode":"0999","reasonCode":"address.new_build"}""", "gemeentecode", "gemeente.unknown")]
    [InlineData("""{"gemeentecode":"36x","reasonCode":"address.new_build"}""", "gemeentecode", "field.invalid")]
    [InlineData("""{"reasonCode":"address.new_build"}""", "gemeentecode", "field.required")]
    [InlineData("""{"gemeentecode":"0363","reasonCode":"the neighbour said so"}""", "reasonCode", "field.invalid")]
    [InlineData("""{"gemeentecode":"0363"}""", "reasonCode", "field.required")]
    [InlineData("""{"gemeentecode":"0363","reasonCode":"address.other","note":"x"}""", "note", "request.invalid_json")]
    [InlineData("", "body", "field.required")]
    public async Task Bad_assignment_input_is_400_naming_the_field_and_changes_nothing(string body, string field, string code)
    {
        var signalId = await QuarantineOneAsync("QR-7");
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        using var response = await AssignAsync(signalId, body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field, code);
        Assert.Equal(before.ETag, Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine)).ETag);
        Assert.False(await _app.TableExistsAsync(_app.Names.QuarantineAudit));
        Assert.False(await AnyHouseholdTableAsync());
    }

    [Fact]
    public async Task Assigning_an_unknown_signal_is_404_and_changes_nothing()
    {
        await QuarantineOneAsync("QR-8");
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        using var response = await AssignAsync("no-such-signal", """{"gemeentecode":"0363","reasonCode":"address.other"}""");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "signalId", "quarantine.signal_not_found");
        Assert.Equal(before.ETag, Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine)).ETag);
        Assert.False(await _app.TableExistsAsync(_app.Names.QuarantineAudit));
    }

    [Fact]
    public async Task Assigning_a_signal_assigned_before_is_409_and_changes_nothing()
    {
        var signalId = await QuarantineOneAsync("QR-9");
        var resolutions = _app.Services.GetRequiredService<IQuarantineResolutions>();
        var entry = (await resolutions.FindAsync(signalId, CancellationToken.None))!;
        Assert.True(await resolutions.AssignAsync(entry, new QuarantineAssignment("0344", "address.other", "another-operator", DateTimeOffset.UtcNow), CancellationToken.None));
        var before = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        using var response = await AssignAsync(signalId, """{"gemeentecode":"0363","reasonCode":"address.other"}""");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "signalId", "quarantine.already_assigned");
        var after = Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal("0344", after.GetString("AssignedGemeente"));
        Assert.False(await AnyHouseholdTableAsync());
    }

    [Fact]
    public async Task An_assignment_recorded_before_a_crash_is_audited_and_completed_by_the_next_redrive()
    {
        var signalId = await QuarantineOneAsync("QR-10");
        var resolutions = _app.Services.GetRequiredService<IQuarantineResolutions>();
        var entry = (await resolutions.FindAsync(signalId, CancellationToken.None))!;
        Assert.True(await resolutions.AssignAsync(entry, new QuarantineAssignment("0344", "address.renamed", "op-1", DateTimeOffset.UtcNow), CancellationToken.None));

        var answer = await RedriveAsync("{}");

        Assert.Equal(1, (int)answer["stored"]!);
        Assert.Equal("0344", Assert.Single(await _app.RowsAsync("s|")).GetString("Gemeente"));
        var audit = Assert.Single(await _app.EntitiesAsync(_app.Names.QuarantineAudit));
        Assert.Equal("op-1", audit.GetString("OperatorId"));
    }

    [Fact]
    public async Task The_cli_redrive_dry_run_changes_nothing_and_the_redrive_through_the_api_stores_the_signal()
    {
        await QuarantineOneAsync("QR-11");
        AddAddressToFile();

        var (dryRc, dryOut, dryError) = await _app.RunCliAsync(["quarantine", "redrive", "--dry-run", .. AppSettings()]);
        Assert.True(dryRc == 0, dryOut + dryError);
        Assert.Contains("dry run: 1 examined, 1 would leave quarantine, 0 would stay; nothing changed", dryOut, StringComparison.Ordinal);
        Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine));

        var (rc, output, error) = await _app.RunCliAsync("quarantine", "redrive", "--api", "http://localhost", "--operator-key", TestEnvironment.OperatorKey, "--page-size", "1");

        Assert.True(rc == 0, output + error);
        Assert.Contains("re-driven: 1 examined, 1 stored in their household, 0 already stored, 0 still quarantined", output, StringComparison.Ordinal);
        Assert.Contains("quarantine redrive: 1 examined", error, StringComparison.Ordinal);
        Assert.Empty(await _app.EntitiesAsync(_app.Names.Quarantine));
        Assert.Single(await _app.RowsAsync("s|"));
    }

    [Fact]
    public async Task The_cli_assigns_a_gemeente_through_the_api_and_refuses_an_unknown_gemeente()
    {
        var signalId = await QuarantineOneAsync("QR-12");

        var (badRc, _, badError) = await _app.RunCliAsync("quarantine", "assign", signalId, "--gemeente", "0999", "--reason", "address.other", "--api", "http://localhost", "--operator-key", TestEnvironment.OperatorKey);
        var (rc, output, error) = await _app.RunCliAsync("quarantine", "assign", signalId, "--gemeente", "0363", "--reason", "address.other", "--api", "http://localhost", "--operator-key", TestEnvironment.OperatorKey);

        Assert.True(badRc == 2, badError);
        Assert.Contains("gemeentecode: gemeente 0999 is not one this deployment serves", badError, StringComparison.Ordinal);
        Assert.True(rc == 0, output + error);
        Assert.Contains($"assigned {signalId} to gemeente 0363", output, StringComparison.Ordinal);
        Assert.Single(await _app.EntitiesAsync(_app.Names.QuarantineAudit));
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<string> QuarantineOneAsync(string reference, int huisnummer = Huisnummer)
    {
        var known = await _app.TableExistsAsync(_app.Names.Quarantine)
            ? (await _app.EntitiesAsync(_app.Names.Quarantine)).Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal)
            : [];
        var signal = TestSignals.Signal(reference, postcode: Postcode, huisnummer: huisnummer, achternaam: Achternaam, telefoon: Telefoon, email: Email);
        using var response = await _app.PostAsync(TestEnvironment.HuurKey, TestSignals.Array(signal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _app.ProcessAllAsync();
        return Assert.Single(await _app.EntitiesAsync(_app.Names.Quarantine), e => !known.Contains(e.RowKey)).RowKey;
    }

    // The address file gains the quarantined address (in gemeente 0363), as an operator's update of the CBS file would.
    private void AddAddressToFile()
    {
        File.AppendAllText(_addressFile, $"{Postcode};5;3630101;36301;363\n{Postcode};6;3630101;36301;363\n{Postcode};7;3630101;36301;363\n");
        File.SetLastWriteTimeUtc(_addressFile, DateTime.UtcNow.AddSeconds(1));
    }

    // The app's keys and address file, as an operator running `vroeg` against local storage passes the app's settings.
    private string[] AppSettings() =>
    [
        .. _app.Settings.Where(s => s.Key.StartsWith("Keys:", StringComparison.Ordinal) || s.Key.StartsWith("AddressRegistry:", StringComparison.Ordinal))
            .SelectMany(s => new[] { "--set", s.Key + "=" + s.Value }),
    ];

    private async Task<JsonNode> RedriveAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/operations/quarantine/redrive") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        using var response = await _app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<HttpResponseMessage> AssignAsync(string signalId, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/operations/quarantine/{Uri.EscapeDataString(signalId)}/assignment");
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add("X-Api-Key", TestEnvironment.OperatorKey);
        return await _app.Http.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = Assert.Single(JsonNode.Parse(text)!["errors"]!.AsArray());
        Assert.Equal(field, (string?)error!["field"]);
        Assert.Equal(code, (string?)error["code"]);
    }

    private async Task<bool> AnyHouseholdTableAsync()
    {
        var shards = _app.Names.AllHouseholdTables.ToHashSet(StringComparer.Ordinal);
        await foreach (var table in _app.Storage.Tables.QueryAsync())
        {
            if (shards.Contains(table.Name))
            {
                return true;
            }
        }

        return false;
    }

    private LocalTopic Topic() => _app.Services.GetRequiredService<LocalTopic>();
}
