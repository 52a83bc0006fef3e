using System.Diagnostics.CodeAnalysis;

namespace VroegSignalering.Functions.Hosting;

/// <summary>The non-HTTP functions this handler implements, by function name.</summary>
public sealed class FunctionCatalog
{
    private readonly Dictionary<string, IFunction> _functions;

    public FunctionCatalog(IEnumerable<IFunction> functions)
    {
        _functions = new Dictionary<string, IFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            if (!_functions.TryAdd(function.Name, function))
            {
                throw new InvalidOperationException($"two functions are registered as '{function.Name}'");
            }
        }
    }

    public IReadOnlyCollection<string> Names => _functions.Keys;

    public bool TryGet(string name, [NotNullWhen(true)] out IFunction? function) => _functions.TryGetValue(name, out function);
}
