using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Azure.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VroegSignalering.Functions.Tests.Operations;

/// <summary>Entra ID tokens for the tests: signed with a test key the app is set to trust instead of Entra's.</summary>
internal static class TestTokens
{
    public const string Issuer = "https://login.example.test/tenant/v2.0";
    public const string Audience = "api://vroegsignalering-test";
    public const string OperatorObjectId = "0b0b0b0b-0000-4000-8000-00000000000a";
    private static readonly SymmetricSecurityKey SigningKey = new(Encoding.UTF8.GetBytes("test-signing-key-of-at-least-32-bytes!!"));

    /// <summary>Makes the app validate tokens against the test issuer, audience and key.</summary>
    public static void TrustTestTokens(IServiceCollection services) => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
    {
        o.Authority = null;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = SigningKey,
            RoleClaimType = "roles",
        };
    });

    /// <summary>A token of client application <paramref name="appId"/> for a signed-in person (oid) with these app roles.</summary>
    public static string Create(string appId, params string[] roles)
    {
        var claims = new Dictionary<string, object> { ["azp"] = appId, ["oid"] = OperatorObjectId };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", appId)]),
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}

/// <summary>Stands in for DefaultAzureCredential: hands out one token and notes the scopes asked for.</summary>
internal sealed class RecordingCredential(string token) : TokenCredential
{
    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.AddRange(requestContext.Scopes);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddMinutes(10));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>Every log line the app writes, formatted with its values, to check what an audit line holds.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, string Text)> _lines = new();

    public IReadOnlyList<(string Category, string Text)> Lines => _lines.ToList();

    public string All => string.Join('\n', _lines.Select(l => l.Category + " " + l.Text));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> kvs ? string.Join(' ', kvs.Select(kv => $"{kv.Key}={kv.Value}")) : string.Empty;
            lines.Enqueue((category, $"{formatter(state, exception)} {values} {exception}"));
        }
    }
}
