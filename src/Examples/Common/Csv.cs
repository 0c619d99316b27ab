using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>Writes invariant-culture CSV (RFC 4180: a field with a separator, a quote or a line break is quoted).</summary>
    internal static class Csv
    {
        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A text field as it must appear in a CSV line.</summary>
        public static string Quote(string field)
            => field.AsSpan().IndexOfAny(",\"\r\n") < 0 && field.Trim().Length == field.Length ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

        /// <summary>Writes one line per row, already formatted.</summary>
        public static void WriteLines(TextWriter writer, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
        {
            writer.WriteLine(string.Join(",", header));
            foreach (var row in rows)
                writer.WriteLine(string.Join(",", row));
        }

        /// <summary>Writes a whole CSV file atomically (see <see cref="OutputFiles"/>).</summary>
        public static void Write(string path, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
            => OutputFiles.WriteText(path, writer => WriteLines(writer, header, rows));
    }
}
