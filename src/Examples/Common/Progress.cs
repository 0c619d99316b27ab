using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder.Examples.Common
{
    /// <summary>
    /// Progress of long work on the error stream: the phase ("reading and initializing", "encoding"), and during a fit
    /// the iteration, loss, rate and ETA, taken from the library's per-iteration log line. On by default only when the
    /// error stream is the console and not redirected (one line, rewritten in place); off with <c>--quiet</c>; forced
    /// with <c>--progress</c> (then one line per update, for logs and tests).
    /// </summary>
    internal sealed partial class Progress
    {
        public const string OptionsHelp =
@"  --quiet turns the progress on stderr off; --progress forces it when stderr is not a terminal (one line per update).";

        /// <summary>The flag options every command with progress accepts.</summary>
        public static readonly string[] Flags = { "quiet", "progress" };

        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);
        private readonly TextWriter _error;
        private readonly bool _inPlace;
        private readonly string _command;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan _lastWrite = TimeSpan.MinValue;
        private (int Iteration, TimeSpan Time)? _first;
        private bool _lineOpen;
        private TimeSpan? _countStart;

        private Progress(string command, TextWriter error, bool inPlace)
        {
            _command = command;
            _error = error;
            _inPlace = inPlace;
        }

        /// <summary>The reporter the arguments ask for, or null when progress is off.</summary>
        public static Progress? For(string command, Arguments line, TextWriter error)
        {
            bool quiet = line.Flag("quiet"), forced = line.Flag("progress");
            if (quiet && forced)
                throw new UsageException("--quiet and --progress contradict each other: give at most one.");
            bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            return quiet || !(forced || terminal) ? null : new Progress(command, error, inPlace: terminal);
        }

        /// <summary>Reports the iterations the library logs on <paramref name="mlContext"/>.</summary>
        public void Attach(MLContext mlContext) => mlContext.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && IterationLine().Match(e.RawMessage) is { Success: true } match)
            {
                Iteration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                    match.Groups[3].Value);
            }
        };

        /// <summary>Starts a phase: "train: reading the input and initializing...".</summary>
        public void Phase(string text) => Write($"{_command}: {text}...", force: true);

        /// <summary>
        /// Reports <paramref name="done"/> of <paramref name="total"/> finished units ("fits", "classes") with the rate
        /// and the ETA since the first call with done = 0 (or since this reporter was made).
        /// </summary>
        public void Count(int done, int total, string unit)
        {
            TimeSpan now = _watch.Elapsed;
            if (done == 0 || _countStart is null)
                _countStart = now;
            string rate = "", eta = "";
            double seconds = (now - _countStart.Value).TotalSeconds;
            if (done > 0 && seconds > 0)
            {
                double perSecond = done / seconds;
                rate = string.Format(CultureInfo.InvariantCulture, ", {0:G3} {1}/s", perSecond, unit);
                eta = ", ETA " + TimeSpan.FromSeconds(Math.Ceiling((total - done) / perSecond)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
            }
            Write($"{_command}: {done}/{total} {unit}{rate}{eta}", force: done == 0 || done >= total);
        }

        /// <summary>Ends the progress line (on a terminal the next output starts on a line of its own).</summary>
        public void Done()
        {
            lock (_error)
            {
                if (_inPlace && _lineOpen)
                    _error.WriteLine();
                _lineOpen = false;
            }
        }

        private void Iteration(int iteration, int total, string loss)
        {
            TimeSpan now = _watch.Elapsed;
            _first ??= (iteration, now);
            string rate = "", eta = "";
            double seconds = (now - _first.Value.Time).TotalSeconds;
            if (iteration > _first.Value.Iteration && seconds > 0)
            {
                double perSecond = (iteration - _first.Value.Iteration) / seconds;
                rate = string.Format(CultureInfo.InvariantCulture, ", {0:G3} it/s", perSecond);
                eta = ", ETA " + TimeSpan.FromSeconds(Math.Ceiling((total - iteration) / perSecond)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
            }
            Write($"{_command}: iteration {iteration}/{total}, loss {loss}{rate}{eta}", force: iteration == 0 || iteration >= total);
        }

        private void Write(string text, bool force)
        {
            TimeSpan now = _watch.Elapsed;
            lock (_error)
            {
                if (!force && now - _lastWrite < Interval)
                    return;
                _lastWrite = now;
                if (_inPlace)
                {
                    // Rewrites the console line: carriage return, the text, and the rest of the old line cleared.
                    _error.Write("\r" + text + "\u001b[K");
                    _lineOpen = true;
                }
                else
                {
                    _error.WriteLine(text);
                }
            }
        }

        [GeneratedRegex(@"^Iteration (\d+)/(\d+): loss (\S+?),")]
        private static partial Regex IterationLine();
    }
}
