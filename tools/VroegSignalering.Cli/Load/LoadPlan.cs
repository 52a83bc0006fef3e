using System.Buffers;
using System.Globalization;
using System.Text;
using VroegSignalering.Cli.Addresses;
using VroegSignalering.Cli.Creditors;
using VroegSignalering.Cli.Generation;

namespace VroegSignalering.Cli.Load;

/// <summary>What a load request tries; each has the answer the API documents for it.</summary>
internal enum LoadKind
{
    /// <summary>A few generated signals, all valid: 202, every row accepted (or quarantined later).</summary>
    Valid,

    /// <summary>Partial mode with some rows broken on purpose: 202 with row errors (400 when every row is broken).</summary>
    RowErrors,

    /// <summary>Atomic mode with one broken row: 400, every row rejected, nothing stored.</summary>
    AtomicRefused,

    /// <summary>A JSON array cut in half: 400 request.invalid_json.</summary>
    MalformedJson,

    /// <summary>Valid JSON sent as text/plain: 415.</summary>
    WrongMediaType,

    /// <summary>The rows of an earlier, answered valid request again (as NDJSON, so not a byte-for-byte replay): 202, all duplicates.</summary>
    Duplicate,

    /// <summary>One signal padded with whitespace to one byte over Intake:MaxBodyBytes: 413.</summary>
    OversizedBody,

    /// <summary>Intake:MaxRowsPerRequest + 1 rows: 413 request.too_many_rows.</summary>
    OversizedRows,
}

/// <summary>The limits of the app under load, and how hard to push it.</summary>
internal sealed record LoadSettings(int Creditors, int RequestsPerMinute, TimeSpan Duration, int Seed, DateOnly Today, long MaxBodyBytes, int MaxRowsPerRequest)
{
    /// <summary>Requests each creditor sends: the rate over the duration, at least one.</summary>
    public int RequestsPerCreditor => Math.Max(1, (int)Math.Floor(Duration.TotalMinutes * RequestsPerMinute));

    public TimeSpan Interval => TimeSpan.FromMinutes(1) / RequestsPerMinute;
}

/// <summary>One request of the plan; <see cref="Body"/> is built when sent (the oversized ones are large and shared).</summary>
internal sealed record PlannedRequest(int Creditor, int Sequence, LoadKind Kind, string Mode, string ContentType, int Rows, Func<byte[]> Body, int? DuplicateOf);

internal sealed record CreditorPlan(Creditor Creditor, IReadOnlyList<PlannedRequest> Requests);

/// <summary>
/// The seeded mix of requests per creditor. Everything but the timing follows from the seed, the limits and
/// "today": the same inputs give the same kinds, rows and bodies, so a failing run can be repeated.
/// </summary>
internal static class LoadPlanner
{
    /// <summary>Shares of the mix; valid requests dominate, as in real traffic, but every refusal is exercised.</summary>
    public static readonly IReadOnlyList<(LoadKind Kind, double Share)> Mix =
    [
        (LoadKind.Valid, 0.55),
        (LoadKind.RowErrors, 0.10),
        (LoadKind.AtomicRefused, 0.04),
        (LoadKind.MalformedJson, 0.04),
        (LoadKind.WrongMediaType, 0.04),
        (LoadKind.Duplicate, 0.15),
        (LoadKind.OversizedBody, 0.04),
        (LoadKind.OversizedRows, 0.04),
    ];

    public static IReadOnlyList<CreditorPlan> Plan(LoadSettings settings, IReadOnlyList<Creditor> creditors, AddressFile addresses, IReadOnlyDictionary<int, Gemeente> gemeenten)
    {
        var plans = new List<CreditorPlan>();
        for (var c = 0; c < settings.Creditors; c++)
        {
            var creditor = creditors[c];
            var rng = Rng.For(settings.Seed, "load-" + creditor.Id);
            var kinds = PlanKinds(rng, settings.RequestsPerCreditor);

            // Each duplicate re-posts a valid request at least two slots back, answered by the time it is re-posted;
            // each original once, so two duplicate requests are never byte for byte the same (that would replay a
            // receipt). Without such an original the slot becomes a valid request.
            var duplicateOf = new int?[kinds.Count];
            var duplicated = new HashSet<int>();
            for (var i = 0; i < kinds.Count; i++)
            {
                if (kinds[i] != LoadKind.Duplicate)
                {
                    continue;
                }

                var original = Enumerable.Range(0, Math.Max(0, i - 1)).Where(j => kinds[j] == LoadKind.Valid && !duplicated.Contains(j)).Cast<int?>().FirstOrDefault();
                if (original is { } o)
                {
                    duplicated.Add(o);
                    duplicateOf[i] = o;
                }
                else
                {
                    kinds[i] = LoadKind.Valid;
                }
            }

            var rowCounts = kinds.Select(k => k switch
            {
                LoadKind.Duplicate or LoadKind.OversizedBody or LoadKind.OversizedRows => 0,
                LoadKind.Valid => rng.Between(1, 5),
                _ => rng.Between(2, 5),
            }).ToList();

            // One generated signal per row, plus what the shared oversized bodies are made of.
            var bigRowCount = Math.Min(settings.MaxRowsPerRequest + 1, 200);
            var generated = Generate(settings, creditor, c, rowCounts.Sum() + 1 + bigRowCount, addresses, gemeenten);
            var padded = generated[0];
            var bigRows = generated.GetRange(1, bigRowCount);
            var pool = new Queue<GeneratedSignal>(generated.Skip(1 + bigRowCount));
            var oversizedBody = new Lazy<byte[]>(() => PaddedBody(padded, settings.MaxBodyBytes + 1));
            var oversizedRows = new Lazy<byte[]>(() => Json(Enumerable.Range(0, settings.MaxRowsPerRequest + 1).Select(i => bigRows[i % bigRows.Count]).ToList()));

            var requests = new List<PlannedRequest>();
            var rowsOf = new Dictionary<int, List<GeneratedSignal>>();
            for (var i = 0; i < kinds.Count; i++)
            {
                var kind = kinds[i];
                if (duplicateOf[i] is { } originalSequence)
                {
                    var rows = rowsOf[originalSequence];
                    var body = Ndjson(rows);
                    requests.Add(new PlannedRequest(c, i, kind, "partial", "application/x-ndjson", rows.Count, () => body, originalSequence));
                    continue;
                }

                switch (kind)
                {
                    case LoadKind.OversizedBody:
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "application/json", 1, () => oversizedBody.Value, null));
                        continue;
                    case LoadKind.OversizedRows:
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "application/json", settings.MaxRowsPerRequest + 1, () => oversizedRows.Value, null));
                        continue;
                }

                var signals = Take(pool, rowCounts[i], creditor);
                rowsOf[i] = signals;
                switch (kind)
                {
                    case LoadKind.Valid:
                    {
                        var body = Json(signals);
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "application/json", signals.Count, () => body, null));
                        break;
                    }

                    case LoadKind.RowErrors:
                    {
                        var broken = rng.Between(1, signals.Count);
                        var order = Enumerable.Range(0, signals.Count).ToArray();
                        rng.Shuffle(order);
                        foreach (var at in order.Take(broken))
                        {
                            Break(signals[at], rng, settings.Today);
                        }

                        var body = Json(signals);
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "application/json", signals.Count, () => body, null));
                        break;
                    }

                    case LoadKind.AtomicRefused:
                    {
                        Break(signals[rng.Next(signals.Count)], rng, settings.Today);
                        var body = Json(signals);
                        requests.Add(new PlannedRequest(c, i, kind, "atomic", "application/json", signals.Count, () => body, null));
                        break;
                    }

                    case LoadKind.MalformedJson:
                    {
                        var whole = Json(signals);
                        var body = whole[..(whole.Length / 2)];
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "application/json", signals.Count, () => body, null));
                        break;
                    }

                    case LoadKind.WrongMediaType:
                    {
                        var body = Json(signals);
                        requests.Add(new PlannedRequest(c, i, kind, "partial", "text/plain", signals.Count, () => body, null));
                        break;
                    }
                }
            }

            plans.Add(new CreditorPlan(creditor, requests));
        }

        return plans;
    }

    private static List<LoadKind> PlanKinds(Rng rng, int count)
    {
        var weights = Mix.Select(m => m.Share).ToArray();
        var kinds = new List<LoadKind>(count);
        for (var i = 0; i < count; i++)
        {
            kinds.Add(Mix[rng.PickWeighted(weights)].Kind);
        }

        return kinds;
    }

    private static List<GeneratedSignal> Take(Queue<GeneratedSignal> pool, int count, Creditor creditor)
    {
        if (pool.Count < count)
        {
            throw new InvalidOperationException($"the load plan ran out of generated signals for {creditor.Id}");
        }

        return Enumerable.Range(0, count).Select(_ => pool.Dequeue()).ToList();
    }

    // The month generator, for this creditor alone; its own defects are left out so "valid" means valid.
    private static List<GeneratedSignal> Generate(LoadSettings settings, Creditor creditor, int index, int needed, AddressFile addresses, IReadOnlyDictionary<int, Gemeente> gemeenten)
    {
        var registry = new CreditorRegistry([creditor]);
        for (var attempt = needed + (needed / 10) + 20; ; attempt *= 2)
        {
            var seed = unchecked((settings.Seed * 7919) + index);
            var result = new SignalGenerator(new GenerationOptions(attempt, seed, settings.Today), registry, addresses, gemeenten).Generate();
            var valid = result.Signals.Where(s => s.IsIntendedValid).OrderBy(s => s.SignaalReferentie, StringComparer.Ordinal).ToList();
            if (valid.Count >= needed)
            {
                foreach (var s in valid)
                {
                    // A run's references are its own: the seed names them, so a second seed never collides with the first.
                    s.SignaalReferentie = string.Create(CultureInfo.InvariantCulture, $"LOAD{settings.Seed}-{s.SignaalReferentie}");
                }

                return valid.Take(needed).ToList();
            }
        }
    }

    /// <summary>One defect the validator must catch, picked by the seed.</summary>
    private static void Break(GeneratedSignal signal, Rng rng, DateOnly today)
    {
        switch (rng.Next(4))
        {
            case 0:
                signal.Bedrag = -signal.Bedrag;
                break;
            case 1:
                signal.Postcode = "0123AB";
                break;
            case 2:
                signal.Signaaldatum = today.AddDays(30);
                break;
            default:
                signal.Huisnummer = 0;
                break;
        }
    }

    public static byte[] Json(IReadOnlyList<GeneratedSignal> signals)
    {
        using var stream = new MemoryStream();
        SignalWriters.WriteJsonArray(stream, signals);
        return stream.ToArray();
    }

    private static byte[] Ndjson(IReadOnlyList<GeneratedSignal> signals)
    {
        using var stream = new MemoryStream();
        SignalWriters.WriteNdjson(stream, signals);
        return stream.ToArray();
    }

    // Valid JSON (whitespace after the value) of exactly `size` bytes: only the size is wrong with it.
    private static byte[] PaddedBody(GeneratedSignal signal, long size)
    {
        var json = SignalWriters.Serialize(signal, new ArrayBufferWriter<byte>(1024)).ToArray();
        var body = new byte[Math.Max(size, json.Length)];
        json.CopyTo(body, 0);
        body.AsSpan(json.Length).Fill((byte)' ');
        return body;
    }

    /// <summary>A description of the plan, for the reproducibility test and for repeating a run by hand.</summary>
    public static string Describe(IReadOnlyList<CreditorPlan> plans)
    {
        var sb = new StringBuilder();
        foreach (var plan in plans)
        {
            foreach (var r in plan.Requests)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{plan.Creditor.Id} {r.Sequence} {r.Kind} {r.Mode} {r.ContentType} {r.Rows} {r.DuplicateOf} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(r.Body()))}\n");
            }
        }

        return sb.ToString();
    }
}
