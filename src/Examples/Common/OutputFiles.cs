using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>
    /// The only way the examples write a file. Every output is first written in full to a temporary file beside its target,
    /// and the targets are replaced (renamed over) only in <see cref="Commit"/>, after every output of the command was
    /// written: a failure midway (disk full, a bad value found late) leaves every existing file as it was, and a command
    /// never ends with some of its outputs replaced and others not.
    /// </summary>
    internal sealed class OutputFiles : IDisposable
    {
        private readonly List<(string Temporary, string Target)> _staged = new();
        private readonly HashSet<string> _protected;

        /// <param name="inputs">Files the command reads; an output with the same path is refused before any work.</param>
        public OutputFiles(params string?[] inputs)
        {
            _protected = new HashSet<string>(inputs.Where(p => p != null).Select(p => Path.GetFullPath(p!)), PathComparer);
        }

        private static StringComparer PathComparer => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        /// <summary>
        /// Refuses (as a command-line error) outputs that would overwrite an input or each other. Call it before any work,
        /// with every output path the command will write and the option that names it.
        /// </summary>
        public void CheckDistinct(params (string Option, string? Path)[] outputs)
        {
            var seen = new Dictionary<string, string>(PathComparer);
            foreach (var (option, path) in outputs)
            {
                if (path == null)
                    continue;
                string full = Path.GetFullPath(path);
                if (_protected.Contains(full))
                    throw new UsageException($"Option {option} names an input file ({full}); writing it would destroy the input. Choose another path.");
                if (seen.TryGetValue(full, out string? other))
                    throw new UsageException($"Options {other} and {option} name the same file ({full}); one would replace the other. Choose two paths.");
                seen[full] = option;
            }
        }

        /// <summary>Writes the bytes of <paramref name="target"/> to a temporary file now; the target is replaced in <see cref="Commit"/>.</summary>
        public void Stage(string target, Action<Stream> write)
            => StageVia(target, temporary =>
            {
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
                write(stream);
                stream.Flush(flushToDisk: true);
            });

        /// <summary>Writes UTF-8 text (no byte-order mark, as <see cref="File.WriteAllText(string, string?)"/>).</summary>
        public void StageText(string target, Action<TextWriter> write)
            => Stage(target, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
                write(writer);
            });

        /// <summary>
        /// For writers that only take a path (ScottPlot): <paramref name="write"/> gets the temporary path, which keeps the
        /// target's extension.
        /// </summary>
        public void StageVia(string target, Action<string> write)
        {
            string full = Path.GetFullPath(target);
            string directory = Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(directory);
            string temporary = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
            _staged.Add((temporary, full));
            write(temporary);
            if (!File.Exists(temporary))
                throw new IOException($"Writing {full} produced no file.");
        }

        /// <summary>Replaces every target by its staged file.</summary>
        public void Commit()
        {
            foreach (var (temporary, target) in _staged)
                File.Move(temporary, target, overwrite: true);
            _staged.Clear();
        }

        /// <summary>Deletes staged files that were not committed (the command failed).</summary>
        public void Dispose()
        {
            foreach (var (temporary, _) in _staged)
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (IOException)
                {
                    // Best effort: a leftover hidden .tmp file is harmless; the target is untouched either way.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            _staged.Clear();
        }

        /// <summary>Writes one text file atomically (stage and commit).</summary>
        public static void WriteText(string target, Action<TextWriter> write)
        {
            using var outputs = new OutputFiles();
            outputs.StageText(target, write);
            outputs.Commit();
        }

        /// <summary>Writes one text file atomically.</summary>
        public static void WriteText(string target, string text) => WriteText(target, writer => writer.Write(text));

        /// <summary>Writes one file atomically with a writer that only takes a path (see <see cref="StageVia"/>).</summary>
        public static void WriteVia(string target, Action<string> write)
        {
            using var outputs = new OutputFiles();
            outputs.StageVia(target, write);
            outputs.Commit();
        }
    }
}
