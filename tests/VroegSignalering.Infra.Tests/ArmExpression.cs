using System.Globalization;
using System.Text;

namespace VroegSignalering.Infra.Tests;

/// <summary>
/// Evaluates the few ARM expressions `bicep snapshot` leaves behind although they are known before a
/// deployment: string literals, format(), concat(), environment() for the public Azure cloud and the
/// fully qualified resourceId(subscription, resource group, type, name...) the snapshot writes.
/// Anything else (reference(), parameters() ...) is not evaluated: <see cref="TryEvaluate"/> returns false.
/// </summary>
public static class ArmExpression
{
    // environment().suffixes in AzureCloud, the cloud these templates deploy to.
    private static readonly Dictionary<string, string> PublicCloudSuffixes = new(StringComparer.Ordinal)
    {
        ["keyvaultDns"] = ".vault.azure.net",
        ["storage"] = "core.windows.net",
    };

    /// <summary>The value of a template string: the literal itself, or its expression evaluated.</summary>
    public static string Evaluate(string value) =>
        TryEvaluate(value, out var result) ? result : throw new InvalidOperationException($"cannot evaluate {value}");

    public static bool TryEvaluate(string value, out string result)
    {
        if (!value.StartsWith('[') || value.StartsWith("[[", StringComparison.Ordinal))
        {
            result = value.StartsWith("[[", StringComparison.Ordinal) ? value[1..] : value;
            return true;
        }

        try
        {
            var parser = new Parser(value[1..^1]);
            result = parser.Expression();
            return parser.AtEnd;
        }
        catch (NotSupportedException)
        {
            result = "";
            return false;
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public bool AtEnd => _position == text.Length;

        public string Expression()
        {
            if (Peek() == '\'')
            {
                return StringLiteral();
            }

            var name = Identifier();
            var args = Arguments();
            var value = name switch
            {
                "format" => Format(args),
                "concat" => string.Concat(args),
                "environment" when args.Count == 0 => Environment(),
                "resourceId" when args.Count >= 4 => ResourceId(args),
                _ => throw new NotSupportedException(name),
            };
            return value;
        }

        private string Environment()
        {
            Expect(".suffixes.");
            var suffix = Identifier();
            return PublicCloudSuffixes.TryGetValue(suffix, out var value) ? value : throw new NotSupportedException(suffix);
        }

        // resourceId('sub', 'rg', 'Microsoft.X/parents/children', 'parent', 'child'): each type segment after
        // the namespace is followed by its name.
        private static string ResourceId(List<string> args)
        {
            var types = args[2].Split('/');
            var names = args.Skip(3).ToList();
            if (types.Length - 1 != names.Count)
            {
                throw new NotSupportedException(string.Join(", ", args));
            }

            var id = new StringBuilder($"/subscriptions/{args[0]}/resourceGroups/{args[1]}/providers/{types[0]}");
            for (var i = 0; i < names.Count; i++)
            {
                id.Append('/').Append(types[i + 1]).Append('/').Append(names[i]);
            }

            return id.ToString();
        }

        private static string Format(List<string> args)
        {
            var template = new StringBuilder(args[0]);
            for (var i = 1; i < args.Count; i++)
            {
                template.Replace("{" + (i - 1).ToString(CultureInfo.InvariantCulture) + "}", args[i]);
            }

            return template.ToString();
        }

        private List<string> Arguments()
        {
            Expect("(");
            var args = new List<string>();
            SkipSpaces();
            while (Peek() != ')')
            {
                args.Add(Expression());
                SkipSpaces();
                if (Peek() == ',')
                {
                    _position++;
                    SkipSpaces();
                }
            }

            _position++;
            return args;
        }

        private string StringLiteral()
        {
            var value = new StringBuilder();
            _position++;
            while (true)
            {
                var c = Next();
                if (c == '\'')
                {
                    if (Peek() != '\'')
                    {
                        return value.ToString();
                    }

                    _position++;
                }

                value.Append(c);
            }
        }

        private string Identifier()
        {
            var start = _position;
            while (_position < text.Length && char.IsAsciiLetterOrDigit(text[_position]))
            {
                _position++;
            }

            return start == _position ? throw new NotSupportedException(text[start..]) : text[start.._position];
        }

        private void Expect(string expected)
        {
            if (string.CompareOrdinal(text, _position, expected, 0, expected.Length) != 0)
            {
                throw new NotSupportedException(text[_position..]);
            }

            _position += expected.Length;
        }

        private void SkipSpaces()
        {
            while (Peek() == ' ')
            {
                _position++;
            }
        }

        private char Peek() => _position < text.Length ? text[_position] : '\0';

        private char Next() => _position < text.Length ? text[_position++] : throw new NotSupportedException("unterminated string");
    }
}
