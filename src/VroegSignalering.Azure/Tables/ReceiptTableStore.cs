using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Azure.Tables;

/// <summary>
/// Receipts (partition per creditor, so a receipt id is only found with its own creditor's credential)
/// and per-chunk progress (partition per receipt). The stored response is gzip-compressed JSON split over
/// binary properties of at most 60 KB.
/// </summary>
public sealed class ReceiptTableStore(TableSet tables) : IReceiptStore
{
    private const int SliceBytes = 60 * 1024;
    private const int MaxSlices = 15;

    public async Task<IntakeReceipt?> GetAsync(string creditorId, string receiptId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Receipts, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(creditorId), receiptId, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        var slices = e.GetInt32("ResponseSlices") ?? 0;
        using var buffer = new MemoryStream();
        for (var i = 0; i < slices; i++)
        {
            buffer.Write(e.GetBinary("Response" + i));
        }

        buffer.Position = 0;
        await using var gzip = new GZipStream(buffer, CompressionMode.Decompress);
        var body = await JsonSerializer.DeserializeAsync(gzip, TableJson.Default.IntakeResponse, cancellationToken)
            ?? throw new InvalidDataException($"receipt {receiptId} has no response");
        return new IntakeReceipt(receiptId, creditorId, e.GetDateTimeOffset("ReceivedAt") ?? default, e.GetString("Mode"), e.GetString("Format"),
            e.GetInt32("Rows") ?? 0, e.GetInt32("Chunks") ?? 0, body);
    }

    public async Task SaveAsync(IntakeReceipt receipt, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Receipts, cancellationToken);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await JsonSerializer.SerializeAsync(gzip, receipt.Response, TableJson.Default.IntakeResponse, cancellationToken);
        }

        var bytes = buffer.ToArray();
        var response = receipt.Response;
        if (bytes.Length > SliceBytes * MaxSlices)
        {
            // Extremely many row errors: keep the counts and the first errors rather than fail the request.
            response = response with { Errors = response.Errors.Take(1000).ToList() };
            await SaveAsync(receipt with { Response = response }, cancellationToken);
            return;
        }

        var entity = new TableEntity(TableKeys.Escape(receipt.CreditorId), receipt.ReceiptId)
        {
            ["ReceivedAt"] = receipt.ReceivedAt,
            ["Mode"] = receipt.Mode,
            ["Format"] = receipt.Format,
            ["Rows"] = receipt.Rows,
            ["Chunks"] = receipt.Chunks,
            ["Accepted"] = response.Accepted,
            ["Rejected"] = response.Rejected,
            ["Duplicates"] = response.Duplicates,
        };
        var slices = 0;
        for (var offset = 0; offset < bytes.Length; offset += SliceBytes)
        {
            entity["Response" + slices++] = bytes.AsSpan(offset, Math.Min(SliceBytes, bytes.Length - offset)).ToArray();
        }

        entity["ResponseSlices"] = slices;
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RecordChunkAsync(string receiptId, ChunkProgress progress, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.ReceiptChunks, cancellationToken);
        var entity = new TableEntity(receiptId, progress.Chunk.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
        {
            ["Signals"] = progress.Signals,
            ["Stored"] = progress.Stored,
            ["AlreadyStored"] = progress.AlreadyStored,
            ["Quarantined"] = progress.Quarantined,
            ["CompletedAt"] = progress.CompletedAt,
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A replayed chunk finds its signals already stored: keep the first, truer count.
        }
    }

    public async Task<IReadOnlyList<ChunkProgress>> GetChunksAsync(string receiptId, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.ReceiptChunks, cancellationToken);
        var list = new List<ChunkProgress>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {receiptId}"), cancellationToken: cancellationToken))
        {
            list.Add(new ChunkProgress(int.Parse(e.RowKey, System.Globalization.CultureInfo.InvariantCulture), e.GetInt32("Signals") ?? 0,
                e.GetInt32("Stored") ?? 0, e.GetInt32("AlreadyStored") ?? 0, e.GetInt32("Quarantined") ?? 0, e.GetDateTimeOffset("CompletedAt") ?? default));
        }

        return list;
    }

    /// <summary>Every receipt (reporting; a full scan of the receipts table).</summary>
    public async IAsyncEnumerable<IntakeReceipt> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tables.Names.Receipts, cancellationToken);
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            var receipt = await GetAsync(Uri.UnescapeDataString(e.PartitionKey), e.RowKey, cancellationToken);
            if (receipt is not null)
            {
                yield return receipt;
            }
        }
    }
}
