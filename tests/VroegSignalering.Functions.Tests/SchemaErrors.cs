using NJsonSchema;
using NJsonSchema.Validation;

namespace VroegSignalering.Functions.Tests;

/// <summary>JSON Schema validation with the errors NJsonSchema nests (array items, sub-schemas) flattened to the leaves that say what is wrong and where.</summary>
internal static class SchemaErrors
{
    public static async Task<List<ValidationError>> OfAsync(string schemaPath, string json) =>
        Of(await JsonSchema.FromFileAsync(schemaPath), json);

    public static List<ValidationError> Of(JsonSchema schema, string json) => Flatten(schema.Validate(json)).ToList();

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) => errors.SelectMany(e => e switch
    {
        ChildSchemaValidationError child => Flatten(child.Errors.Values.SelectMany(v => v)),
        MultiTypeValidationError multi => Flatten(multi.Errors.Values.SelectMany(v => v)),
        _ => [e],
    });
}
