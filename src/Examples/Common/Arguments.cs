using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>
    /// A tiny parser for <c>--name value</c> and <c>--flag</c> arguments. Each command declares its options up front, so
    /// an unknown or repeated option, a missing value and a value of the wrong type are reported by name.
    /// </summary>
    /// <remarks>
    /// Why not System.CommandLine (served, 2.0.0 tried on <c>train</c>): it would not make the commands shorter or clearer.
    /// Every option here is one call that parses, range-checks and defaults (<c>line.Int("hidden", 10, min: 1)</c>); there
    /// it is an <c>Option&lt;T&gt;</c> declaration plus a validator per range (and a validator that reads the value throws
    /// when the text was not a number, so each must re-parse its token), plus the handler binding. Its messages
    /// ("Unrecognized command or argument '--x'", "Cannot parse argument 'many' for option '--hidden' as expected type
    /// 'System.Int32'") differ from the ones users and the tests rely on ("Unknown option '--x'. Known options: ...",
    /// "Option --hidden needs an integer, got 'many'"), so keeping them means rewriting its errors. What it would add
    /// (generated help, tab completion, POSIX bundling) these seven flat commands do not need.
    /// </remarks>
    internal sealed class Arguments
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags;
        private readonly HashSet<string> _valued;

        /// <param name="args">The arguments after the command name.</param>
        /// <param name="valueOptions">Options that take a value (without the leading dashes).</param>
        /// <param name="flagOptions">Options that take no value.</param>
        public Arguments(string[] args, IEnumerable<string> valueOptions, IEnumerable<string>? flagOptions = null)
        {
            _valued = new HashSet<string>(valueOptions, StringComparer.Ordinal);
            _flags = new HashSet<string>(flagOptions ?? Array.Empty<string>(), StringComparer.Ordinal) { "help" };
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg == "-h")
                    arg = "--help";
                if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                    throw new UsageException($"Unexpected argument '{arg}': options are written --name value.");
                string name = arg.Substring(2);
                string? inlineValue = null;
                int equals = name.IndexOf('=');
                if (equals >= 0)
                {
                    inlineValue = name.Substring(equals + 1);
                    name = name.Substring(0, equals);
                }
                if (_values.ContainsKey(name))
                    throw new UsageException($"Option --{name} is given twice.");
                if (_flags.Contains(name))
                {
                    if (inlineValue != null)
                        throw new UsageException($"Option --{name} takes no value.");
                    _values[name] = null;
                }
                else if (_valued.Contains(name))
                {
                    if (inlineValue == null)
                    {
                        if (i + 1 >= args.Length || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                            throw new UsageException($"Option --{name} needs a value.");
                        inlineValue = args[++i];
                    }
                    _values[name] = inlineValue;
                }
                else
                {
                    var known = _valued.Concat(_flags).OrderBy(x => x, StringComparer.Ordinal).Select(x => "--" + x);
                    throw new UsageException($"Unknown option '--{name}'. Known options: {string.Join(", ", known)}.");
                }
            }
        }

        /// <summary>Whether --help was given.</summary>
        public bool HelpRequested => _values.ContainsKey("help");

        public bool Has(string name) => _values.ContainsKey(name);

        public bool Flag(string name) => _values.ContainsKey(name);

        public string? String(string name) => _values.TryGetValue(name, out string? value) ? value : null;

        public string String(string name, string defaultValue) => String(name) ?? defaultValue;

        public int Int(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
        {
            string? text = String(name);
            if (text == null)
                return defaultValue;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                throw new UsageException($"Option --{name} needs an integer, got '{text}'.");
            if (value < min || value > max)
                throw new UsageException($"Option --{name} must be {Range(min, max)}, got {value}.");
            return value;
        }

        public int? NullableInt(string name, int min = int.MinValue, int max = int.MaxValue)
            => Has(name) ? Int(name, 0, min, max) : null;

        public double Double(string name, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
        {
            string? text = String(name);
            if (text == null)
                return defaultValue;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                throw new UsageException($"Option --{name} needs a finite number, got '{text}'.");
            if (value < min || value > max || (exclusiveMin && value == min))
                throw new UsageException($"Option --{name} must be {(exclusiveMin ? $"> {min.ToString(CultureInfo.InvariantCulture)}" : Range(min, max))}, got {text}.");
            return value;
        }

        public double? NullableDouble(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
            => Has(name) ? Double(name, 0, min, max, exclusiveMin) : null;

        /// <summary>
        /// A number the library takes as a 32-bit float: one that overflows float or rounds to 0 is refused here, by option
        /// name, rather than later by the library under its API parameter name.
        /// </summary>
        public float Float(string name, float defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
        {
            double value = Double(name, defaultValue, min, max, exclusiveMin);
            float single = (float)value;
            if (!float.IsFinite(single))
                throw new UsageException($"Option --{name} must fit a 32-bit float (magnitude ≤ {float.MaxValue.ToString(CultureInfo.InvariantCulture)}), got {String(name)}.");
            if (single == 0 && value != 0)
            {
                string smallest = float.Epsilon.ToString(CultureInfo.InvariantCulture);
                throw new UsageException($"Option --{name} rounds to 0 as a 32-bit float (smallest magnitude {smallest}), got {String(name)}.");
            }
            return single;
        }

        public float? NullableFloat(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
            => Has(name) ? Float(name, 0, min, max, exclusiveMin) : null;

        /// <summary>One of a fixed set of words (case-insensitive), mapped to a value.</summary>
        public T Choice<T>(string name, T defaultValue, params (string Word, T Value)[] choices)
        {
            string? text = String(name);
            if (text == null)
                return defaultValue;
            foreach (var (word, value) in choices)
            {
                if (string.Equals(word, text, StringComparison.OrdinalIgnoreCase))
                    return value;
            }
            throw new UsageException($"Option --{name} must be one of {string.Join(", ", choices.Select(c => c.Word))}; got '{text}'.");
        }

        /// <summary>A comma-separated list of numbers.</summary>
        public double[] DoubleList(string name, double[] defaultValue, double min = double.NegativeInfinity)
        {
            string? text = String(name);
            if (text == null)
                return defaultValue;
            var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0)
                throw new UsageException($"Option --{name} needs a comma-separated list of numbers, got '{text}'.");
            return parts.Select(p =>
            {
                if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < min)
                    throw new UsageException($"Option --{name}: '{p}' is not a finite number ≥ {min.ToString(CultureInfo.InvariantCulture)}.");
                return v;
            }).ToArray();
        }

        /// <summary>A comma-separated list of integers.</summary>
        public int[] IntList(string name, int[] defaultValue, int min = int.MinValue)
        {
            string? text = String(name);
            if (text == null)
                return defaultValue;
            var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0)
                throw new UsageException($"Option --{name} needs a comma-separated list of integers, got '{text}'.");
            return parts.Select(p =>
            {
                if (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
                    throw new UsageException($"Option --{name}: '{p}' is not an integer ≥ {min}.");
                return v;
            }).ToArray();
        }

        /// <summary>A path to an existing file (an <see cref="InputException"/> when it does not exist).</summary>
        public string ExistingFile(string name, string? defaultValue = null)
        {
            string? path = String(name) ?? defaultValue;
            if (path == null)
                throw new UsageException($"Option --{name} is required.");
            if (!File.Exists(path))
                throw new InputException($"--{name}: file not found: {Path.GetFullPath(path)}");
            return path;
        }

        public string Required(string name)
            => String(name) ?? throw new UsageException($"Option --{name} is required.");

        private static string Range(double min, double max)
        {
            string lo = min.ToString(CultureInfo.InvariantCulture);
            string hi = max.ToString(CultureInfo.InvariantCulture);
            if (double.IsNegativeInfinity(min) || min == int.MinValue)
                return $"≤ {hi}";
            if (double.IsPositiveInfinity(max) || max == int.MaxValue)
                return $"≥ {lo}";
            return $"between {lo} and {hi}";
        }
    }
}
