using System.Globalization;

namespace VroegSignalering.Benchmarks.EndToEnd;

/// <summary>Options of <c>e2e</c>: <c>--signals N --seed S --pollers P --warm-up W --ceiling-concurrency 8,32,128 --ceiling-repeats R --warm-up-rounds N</c>.</summary>
internal sealed record E2eOptions(int Signals, int Seed, int Pollers, IReadOnlyList<int> CeilingConcurrency, int CeilingRepeats, int WarmUpSignals, int WarmUpRounds)
{
    public const string Usage =
        "usage: e2e [--signals N (default 5000)] [--seed S (default 1)] [--pollers P (default 1)] [--warm-up W (default 1000)] [--warm-up-rounds N (default 8)] [--ceiling-concurrency 8,32,128] [--ceiling-repeats R (default 3)]";

    public static E2eOptions Parse(IReadOnlyList<string> args)
    {
        var signals = 5000;
        var seed = 1;
        var pollers = 1;
        IReadOnlyList<int> concurrency = [8, 32, 128];
        var repeats = 3;
        var warmUp = 1000;
        var warmUpRounds = 8;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--signals":
                    signals = Positive(Value(), "--signals");
                    break;
                case "--seed":
                    seed = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--pollers":
                    pollers = Positive(Value(), "--pollers");
                    break;
                case "--ceiling-concurrency":
                    concurrency = Value().Split(',').Select(v => Positive(v, "--ceiling-concurrency")).ToList();
                    break;
                case "--warm-up":
                    warmUp = Positive(Value(), "--warm-up");
                    break;
                case "--warm-up-rounds":
                    warmUpRounds = Positive(Value(), "--warm-up-rounds");
                    break;
                case "--ceiling-repeats":
                    repeats = Positive(Value(), "--ceiling-repeats");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }

        return new E2eOptions(signals, seed, pollers, concurrency, repeats, warmUp, warmUpRounds);
    }

    private static int Positive(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} needs a positive whole number, not '{text}'");
}
