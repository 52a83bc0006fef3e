using NJsonSchema;
using NJsonSchema.Validation;
using VroegSignalering.Cli.Commands;

namespace VroegSignalering.Cli.Reporting;

/// <summary>
/// Validation against VNG's DDAS Uitwisselmodel v0.9 JSON schema, embedded from the repository's copy
/// (tests/VroegSignalering.Core.Tests/Fixtures/ddas), so `vroeg ddas validate` needs no file beside the CLI.
/// </summary>
internal static class DdasSchema
{
    /// <summary>Every error, as path and kind, with NJsonSchema's nested errors (array items, sub-schemas) flattened to their leaves.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string json, CancellationToken cancellationToken)
    {
        await using var stream = typeof(DdasSchema).Assembly.GetManifestResourceStream(DdasCommands.SchemaResource)
            ?? throw new InvalidOperationException($"the DDAS schema ({DdasCommands.SchemaResource}) is not embedded in the CLI");
        using var reader = new StreamReader(stream);
        var schema = await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync(cancellationToken), cancellationToken);
        return Flatten(schema.Validate(json)).Select(e => $"{e.Path}: {e.Kind}").ToList();
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) => errors.SelectMany(e => e switch
    {
        ChildSchemaValidationError child => Flatten(child.Errors.Values.SelectMany(v => v)),
        MultiTypeValidationError multi => Flatten(multi.Errors.Values.SelectMany(v => v)),
        _ => [e],
    });
}
