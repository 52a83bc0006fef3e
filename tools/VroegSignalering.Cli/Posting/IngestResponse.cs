using System.Text.Json;

namespace VroegSignalering.Cli.Posting;

/// <summary>A row error as the API reports it; <see cref="Row"/> is 1-based within the request.</summary>
internal sealed record RowError(int? Row, string? SignaalReferentie, string? Field, string? Code, string? Message);

/// <summary>
/// The body of a 202 (<c>{ receiptId, accepted, rejected, duplicates, errors }</c>) or of a 400
/// problem+json carrying the same errors. Read leniently: a missing count is null, not a failure.
/// </summary>
internal sealed record IngestResponse(string? ReceiptId, int? Accepted, int? Rejected, int? Duplicates, IReadOnlyList<RowError> Errors, string? Title, string? Detail)
{
    public static readonly IngestResponse Empty = new(null, null, null, null, [], null, null);

    public static IngestResponse Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Empty;
            }

            var errors = new List<RowError>();
            if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in list.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.Object)
                    {
                        errors.Add(new RowError(Int(e, "row"), Text(e, "signaalReferentie"), Text(e, "field"), Text(e, "code"), Text(e, "message")));
                    }
                }
            }

            return new IngestResponse(Text(root, "receiptId"), Int(root, "accepted"), Int(root, "rejected"), Int(root, "duplicates"), errors, Text(root, "title"), Text(root, "detail"));
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;
}
