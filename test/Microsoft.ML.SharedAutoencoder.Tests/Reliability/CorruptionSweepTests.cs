using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.SharedAutoencoder.Tests.Reliability
{
    /// <summary>
    /// Every single-byte change of a saved model file either is refused with a <see cref="FormatException"/> or loads a
    /// model that gives bit-identical codes: a damaged file never hangs, never throws another exception type and never
    /// yields a silently different model.
    /// </summary>
    [TestClass]
    public sealed class CorruptionSweepTests
    {
        private const int N = 6, M = 3, Rows = 40;

        // A load that takes this long is a hang (an intact load of this model takes milliseconds).
        private static readonly TimeSpan LoadTimeLimit = TimeSpan.FromSeconds(20);

        private enum Outcome
        {
            Rejected,
            Identical,
            Different,
            OtherException,
        }

        private sealed record Sample(int Position, byte Value, Outcome Outcome, string Detail);

        private static (MLContext Ml, IDataView Data, byte[] File, int[] CodeBits) Saved()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Rows, seed: 3), N);
            var model = ml.Transforms.SharedAutoencoder(new SharedAutoencoderEstimator.Options { HiddenUnits = M, Iterations = 3, Seed = 2 }).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, stream.ToArray(), CodeBits(model, data));
        }

        private static int[] CodeBits(ITransformer model, IDataView data)
            => ReliabilityData.Bits(ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray());

        private static Outcome Classify(MLContext ml, IDataView data, byte[] file, int[] expected, out string detail)
        {
            detail = "";
            try
            {
                var loaded = ml.Model.LoadSharedAutoencoder(new MemoryStream(file), out _);
                if (CodeBits(loaded, data).SequenceEqual(expected))
                    return Outcome.Identical;
                detail = "loaded, different codes";
                return Outcome.Different;
            }
            catch (FormatException error)
            {
                detail = error.Message;
                return Outcome.Rejected;
            }
            catch (Exception error)
            {
                detail = error.GetType().Name + ": " + error.Message;
                return Outcome.OtherException;
            }
        }

        /// <summary>Runs one load with a time limit: a hang fails the test instead of stalling the run.</summary>
        private static Sample Run(MLContext ml, IDataView data, byte[] file, int[] expected, int position, byte value)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[position] = value;
            var load = Task.Run(() => (Outcome: Classify(ml, data, damaged, expected, out string detail), Detail: detail));
            if (!load.Wait(LoadTimeLimit))
                Assert.Fail($"Loading the file with byte {position} set to 0x{value:X2} (was 0x{file[position]:X2}) did not finish within {LoadTimeLimit.TotalSeconds} s.");
            return new Sample(position, value, load.Result.Outcome, load.Result.Detail);
        }

        private static void Report(IReadOnlyCollection<Sample> samples, string title)
        {
            Console.WriteLine($"{title}: {samples.Count} damaged files: "
                + string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{samples.Count(s => s.Outcome == o)} {o}")));
            foreach (var group in samples.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).GroupBy(s => s.Detail).Take(20))
                Console.WriteLine($"  {group.Count()} × {group.Key} (first at byte {group.First().Position})");
        }

        [TestMethod]
        public void EverySingleByteChangeIsRefusedOrHarmless()
        {
            var (ml, data, file, expected) = Saved();
            var random = new Random(15);
            var samples = new List<Sample>();
            for (int position = 0; position < file.Length; position++)
            {
                // One flipped low bit, one flipped high bit, one seeded arbitrary other value.
                samples.Add(Run(ml, data, file, expected, position, (byte)(file[position] ^ 0x01)));
                samples.Add(Run(ml, data, file, expected, position, (byte)(file[position] ^ 0x80)));
                samples.Add(Run(ml, data, file, expected, position, (byte)(file[position] ^ random.Next(1, 256))));
            }
            Console.WriteLine($"File: {file.Length} bytes.");
            Report(samples, "LoadSharedAutoencoder");
            var bad = samples.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).ToList();
            Assert.IsEmpty(bad, $"{bad.Count} damaged files loaded wrong or failed with another exception; first: byte {bad.FirstOrDefault()?.Position}: {bad.FirstOrDefault()?.Detail}");
        }
    }
}
