using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Identity;
using VroegSignalering.Cli.Cli;

namespace VroegSignalering.Cli.Operations;

/// <summary>
/// Options of the commands that need the app's encryption key (outbox retry, ddas export with client data):
/// with <c>--api</c> they call the app's operator endpoints, which run in Azure under the app's identity and
/// keys, so no key ever reaches the operator's machine. The caller proves it is an operator with an Entra ID
/// token for the API (app role Operations.Run; DefaultAzureCredential, so `az login` is enough) or, on a
/// local run, with a local operator key.
/// </summary>
internal sealed class OperatorApiOptions
{
    public const string AudienceVariable = "VROEG_API_AUDIENCE";
    public const string OperatorKeyVariable = "VROEG_OPERATOR_KEY";

    public Option<string> Api { get; } = new("--api")
    {
        Description = "Base address of the app (https://<app>.azurewebsites.net, or http://127.0.0.1:7071 locally): run the operation there, under the app's identity and keys.",
        HelpName = "url",
    };

    public Option<string> Audience { get; } = new("--audience")
    {
        Description = $"The API's Entra ID application ID URI or client id; the token is requested for <audience>/.default (default: ${AudienceVariable}).",
        HelpName = "uri",
    };

    public Option<string> OperatorKey { get; } = new("--operator-key")
    {
        Description = $"A local operator key (config/local/operators.json; local runs only) instead of an Entra ID token (default: ${OperatorKeyVariable}).",
        HelpName = "key",
    };

    public void AddTo(Command command)
    {
        Api.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"Option '--api' expects an absolute http(s) address, got '{value}'.");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            {
                // A bearer token or key over plain HTTP could be read on the way.
                result.AddError($"Option '--api' needs https for a non-local address, got '{value}'.");
            }
        });
        command.Options.Add(Api);
        command.Options.Add(Audience);
        command.Options.Add(OperatorKey);
    }

    public bool Requested(ParseResult parseResult) => parseResult.GetValue(Api) is not null;

    /// <summary>A client for the app's operator endpoints with the operator's credential; usage errors when none is given.</summary>
    public async Task<OperatorApiClient> ConnectAsync(ParseResult parseResult, CliEnvironment env, CancellationToken cancellationToken)
    {
        var baseUri = new Uri(parseResult.GetValue(Api)!.TrimEnd('/') + "/");
        var key = parseResult.GetValue(OperatorKey) ?? env.Variable(OperatorKeyVariable);
        var http = new HttpClient(env.HttpHandler?.Invoke() ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            if (!string.IsNullOrWhiteSpace(key))
            {
                http.DefaultRequestHeaders.Add("X-Api-Key", key);
                return new OperatorApiClient(http);
            }

            var audience = parseResult.GetValue(Audience) ?? env.Variable(AudienceVariable);
            if (string.IsNullOrWhiteSpace(audience))
            {
                throw new UsageException($"--api needs an operator credential: --audience (or ${AudienceVariable}) for an Entra ID token, or --operator-key on a local run");
            }

            var scope = audience.TrimEnd('/') + "/.default";
            AccessToken token;
            try
            {
                token = await (env.Credential ?? new DefaultAzureCredential()).GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException e)
            {
                throw new CliException($"no Entra ID token for {scope}: {FirstLine(e.Message)} (sign in with `az login`; your account needs the Operations.Run app role of the API)");
            }

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            return new OperatorApiClient(http);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>Calls the operator endpoints; a refusal becomes a message naming the problem and its fields.</summary>
internal sealed class OperatorApiClient(HttpClient http) : IDisposable
{
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"the app at {http.BaseAddress} did not answer: {e.Message}");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var detail = text;
            try
            {
                if (JsonNode.Parse(text) is JsonObject problem)
                {
                    detail = (string?)problem["detail"] ?? text;
                    if (problem["errors"] is JsonArray { Count: > 0 } errors)
                    {
                        detail += " " + string.Join("; ", errors.Select(e => $"{(string?)e?["field"]}: {(string?)e?["message"]}"));
                    }
                }
            }
            catch (System.Text.Json.JsonException)
            {
            }

            var message = $"the app answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}";
            throw response.StatusCode == HttpStatusCode.BadRequest ? new UsageException(message) : new CliException(message);
        }
    }

    public void Dispose() => http.Dispose();
}
