namespace VroegSignalering.Functions.Api;

/// <summary>Documents a query parameter of an HTTP function in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class QueryParameterAttribute(string name, string description, params string[] allowed) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>The values the parameter takes; empty for free text.</summary>
    public IReadOnlyList<string> Allowed { get; } = allowed;
}
