using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using VroegSignalering.Azure.Reporting;
using VroegSignalering.Core.Households;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Protection;
using VroegSignalering.Core.Reporting;
using VroegSignalering.Core.Routing;
using VroegSignalering.Functions.Api;
using VroegSignalering.Functions.Http;
using VroegSignalering.Functions.Security;

namespace VroegSignalering.Functions.Operations;

/// <summary>
/// GET /api/v1/operations/ddas/{gemeentecode}/{period}: one gemeente's DDAS delivery to CBS, the same file
/// `vroeg ddas export` writes. Personal data only with client=include, decrypted here under the app's keys
/// (which never leave Azure). Every call is audited in the logs: who, which gemeente and period, whether
/// client data was included, and counts; never the data itself.
/// </summary>
[ApiAccess(ApiCaller.Operator)]
public sealed partial class ExportDdas(ApiGate gate, DdasExporter exporter, IPersonalDataProtector protector, TimeProvider time, ILogger<ExportDdas> logger)
{
    public const string ClientInclude = "include";
    public const string ClientExclude = "exclude";
    public const string WarningsHeader = "X-Ddas-Warnings";

    [Function(nameof(ExportDdas))]
    [EndpointSummary("Operators: a gemeente's DDAS delivery for a period (YYYY-MM, or YYYY-MM-DD..YYYY-MM-DD), with client data only when client=include.")]
    [Tags("Operations")]
    [QueryParameter("client", "exclude (default): client objects empty, no personal data; include: name, address, birth date and BSN decrypted as DDAS allows.", ClientExclude, ClientInclude)]
    [QueryParameter("leverancier", "codeGegevensleverancier (default VROEGSIGNALERING).")]
    [QueryParameter("organisatie", "Name of the delivering organisation.")]
    [QueryParameter("kvk", "KvK number of the delivering organisation (8 digits).")]
    [QueryParameter("contactNaam", "Contact person at the delivering organisation.")]
    [QueryParameter("contactEmail", "The contact person's e-mail address.")]
    [QueryParameter("contactTelefoon", "The contact person's phone number.")]
    [ProducesResponseType<DdasUitwisselmodel>(StatusCodes.Status200OK, "application/json", Description = "The DDAS Uitwisselmodel (v0.9) file; X-Ddas-Warnings counts the cases and signals not mapped cleanly (listed in the app's log).")]
    [ProducesResponseType<Problem>(StatusCodes.Status400BadRequest, Problems.ContentType)]
    [ProducesResponseType<Problem>(StatusCodes.Status500InternalServerError, Problems.ContentType, Description = "Stored personal data cannot be decrypted with the app's keys.")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/operations/ddas/{gemeentecode}/{period}")] HttpRequest request,
        string gemeentecode,
        string period,
        CancellationToken cancellationToken)
    {
        if (await gate.AdmitAsync<ExportDdas>(request.HttpContext) is { } refused)
        {
            return refused;
        }

        var errors = new List<RowError>();
        void Error(string field, string message) => errors.Add(new RowError(0, null, field, "field.invalid", message));
        string? Query(string name) => request.Query[name].FirstOrDefault() is { Length: > 0 } v ? v : null;

        var code = AreaCodeFormat.Gemeente(gemeentecode);
        if (code is null)
        {
            Error("gemeentecode", "a gemeentecode is four digits, optionally prefixed with GM (0363, GM0363)");
        }

        var dates = Period(period);
        if (dates is null)
        {
            Error("period", "a period is a month (2026-11) or two dates, first to last inclusive (2026-11-01..2026-11-30)");
        }

        var client = Query("client") ?? ClientExclude;
        if (client is not (ClientExclude or ClientInclude))
        {
            Error("client", "client is 'exclude' (no personal data) or 'include'");
        }

        var kvk = Query("kvk");
        if (kvk is not null && (kvk.Length != 8 || !kvk.All(char.IsAsciiDigit)))
        {
            Error("kvk", "a KvK number is 8 digits");
        }

        // A bare address only: MailAddress also takes "Name <address>", which DDAS' format: email does not.
        var email = Query("contactEmail");
        if (email is not null && !(MailAddress.TryCreate(email, out var parsed) && parsed.Address == email))
        {
            Error("contactEmail", "an e-mail address, without a display name");
        }

        var supplier = Query("leverancier") ?? "VROEGSIGNALERING";
        foreach (var (field, value) in new[] { ("leverancier", supplier), ("organisatie", Query("organisatie")), ("contactNaam", Query("contactNaam")), ("contactTelefoon", Query("contactTelefoon")) })
        {
            if (value is { Length: > 200 })
            {
                Error(field, "at most 200 characters");
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The export request is not valid; nothing was read. See errors.", errors);
        }

        var (from, to) = dates!.Value;
        var contact = Query("contactNaam") is null && email is null && Query("contactTelefoon") is null
            ? null
            : new DdasContactpersoon(Query("contactNaam"), Query("contactTelefoon"), email, null);
        var export = new DdasExportRequest(code!, from, to, time.GetUtcNow(), supplier, new DdasOrganisatie(Query("organisatie"), kvk, contact is null ? null : [contact]));
        var include = client == ClientInclude;
        var operatorId = request.HttpContext.User.OperatorId()!;

        string? undecryptable = null;
        DdasExportResult result;
        try
        {
            result = await exporter.ExportAsync(export, include ? signal => Decrypt(signal, ref undecryptable) : null, cancellationToken);
        }
        catch (CryptographicException e)
        {
            LogUndecryptable(logger, operatorId, code!, undecryptable ?? "?", e.Message);
            return Problems.Result(StatusCodes.Status500InternalServerError, "Cannot decrypt",
                $"The personal data of signal {undecryptable} cannot be decrypted with the app's keys ({e.Message}); export with client=exclude, or restore the key.");
        }

        var levering = result.Uitwisselmodel.Leveringen[0];
        LogExported(logger, operatorId, code!, from, to, include, levering.Vroegsignalen.Count, levering.Vroegsignaalzaken.Count, result.Issues.Count);
        foreach (var issue in result.Issues)
        {
            LogIssue(logger, code!, issue.Id, issue.Code);
        }

        var headers = request.HttpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers[WarningsHeader] = result.Issues.Count.ToString(CultureInfo.InvariantCulture);
        headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture, $"attachment; filename=\"ddas-{code}-{from:yyyy-MM-dd}-{to:yyyy-MM-dd}.json\"");
        return Results.Text(result.ToJson(), "application/json", Encoding.UTF8);
    }

    private ClientDetails Decrypt(StoredSignal signal, ref string? failed)
    {
        failed = signal.SignalId;
        var details = protector.ReadPersonal(signal);
        failed = null;
        return details;
    }

    /// <summary>2026-11 (that month) or 2026-11-01..2026-11-30 (both inclusive); null when neither, or when it ends before it starts.</summary>
    public static (DateOnly From, DateOnly To)? Period(string text)
    {
        if (text.Length == 7 && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return (month, month.AddMonths(1).AddDays(-1));
        }

        var parts = text.Split("..");
        return parts.Length == 2
            && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            && from <= to
            ? (from, to)
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator {OperatorId} exported the DDAS delivery of gemeente {Gemeentecode} for {From} to {To}, client data included: {ClientData}; {Signals} vroegsignalen, {Cases} vroegsignaalzaken, {Warnings} warnings")]
    private static partial void LogExported(ILogger logger, string operatorId, string gemeentecode, DateOnly from, DateOnly to, bool clientData, int signals, int cases, int warnings);

    [LoggerMessage(Level = LogLevel.Information, Message = "DDAS export of gemeente {Gemeentecode}: {Id} {Code}")]
    private static partial void LogIssue(ILogger logger, string gemeentecode, string id, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Operator {OperatorId}: the DDAS export of gemeente {Gemeentecode} could not decrypt signal {SignalId}: {Reason}")]
    private static partial void LogUndecryptable(ILogger logger, string operatorId, string gemeentecode, string signalId, string reason);
}
