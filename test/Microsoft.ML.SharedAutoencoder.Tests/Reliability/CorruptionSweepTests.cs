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

        /// <summary>A small saved model: ReLU with the code column only, or (<paramref name="full"/>) the hard threshold with all three output columns.</summary>
        private static (MLContext Ml, IDataView Data, byte[] File, long[] CodeBits) Saved(bool full = false)
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Rows, seed: 3), N);
            var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = M, MaximumNumberOfIterations = 3, Seed = 2 };
            if (full)
            {
                options.Activation = AutoencoderActivation.HardThreshold;
                options.Threshold = 0.05f;
                options.ReconstructionColumnName = "Reconstruction";
                options.ReconstructionErrorColumnName = "Error";
            }
            var model = ml.Transforms.SharedAutoencoder(options).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return (ml, data, stream.ToArray(), CodeBits(model, data));
        }

        /// <summary>The codes on the fixed rows, and for a shared autoencoder also W, b and the history, as bits.</summary>
        private static long[] CodeBits(ITransformer model, IDataView data)
        {
            var bits = ReliabilityData.Bits(ReliabilityData.Codes(model.Transform(data)).SelectMany(c => c).ToArray()).Select(b => (long)b);
            var transformer = model as SharedAutoencoderTransformer ?? (model as TransformerChain<ITransformer>)?.OfType<SharedAutoencoderTransformer>().SingleOrDefault();
            if (transformer == null)
                return bits.ToArray();
            var parameters = ReliabilityData.Bits(ReliabilityData.Flatten(transformer.Model.GetWeights()).Concat(transformer.Model.GetBias()).ToArray()).Select(b => (long)b);
            var history = transformer.History.Iterations.Select(e => BitConverter.DoubleToInt64Bits(e.Loss));
            return bits.Concat(parameters).Concat(history).Append((long)transformer.History.StopReason).ToArray();
        }

        private static Outcome Classify(Func<ITransformer> load, IDataView data, long[] expected, Func<ITransformer, IDataView, long[]> bitsOf, out string detail)
        {
            detail = "";
            try
            {
                var loaded = load();
                if (bitsOf(loaded, data).SequenceEqual(expected))
                    return Outcome.Identical;
                detail = "loaded, different codes, weights or history";
                return Outcome.Different;
            }
            catch (FormatException error)
            {
                detail = error.Message;
                return Outcome.Rejected;
            }
            catch (Exception error) when (error.InnerException?.InnerException is FormatException cause)
            {
                // Plain Model.Load: ML.NET wraps the loader's exception ("Error during class instantiation").
                detail = cause.Message;
                return Outcome.Rejected;
            }
            catch (Exception error)
            {
                detail = error.GetType().Name + ": " + error.Message + (error.InnerException == null ? "" : " <- " + error.InnerException.GetType().Name + ": " + error.InnerException.Message);
                return Outcome.OtherException;
            }
        }

        /// <summary>Runs one load with a time limit: a hang fails the test instead of stalling the run.</summary>
        private static Sample Run(Func<byte[], ITransformer> load, IDataView data, byte[] file, long[] expected, int position, byte value,
            Func<ITransformer, IDataView, long[]>? bitsOf = null)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[position] = value;
            var task = Task.Run(() => (Outcome: Classify(() => load(damaged), data, expected, bitsOf ?? CodeBits, out string detail), Detail: detail));
            if (!task.Wait(LoadTimeLimit))
                Assert.Fail($"Loading the file with byte {position} set to 0x{value:X2} (was 0x{file[position]:X2}) did not finish within {LoadTimeLimit.TotalSeconds} s.");
            return new Sample(position, value, task.Result.Outcome, task.Result.Detail);
        }

        private static IEnumerable<byte> Changes(byte original, Random random)
        {
            // One flipped low bit, one flipped high bit, one seeded arbitrary other value.
            yield return (byte)(original ^ 0x01);
            yield return (byte)(original ^ 0x80);
            yield return (byte)(original ^ random.Next(1, 256));
        }

        private static void Report(IReadOnlyCollection<Sample> samples, string title)
        {
            Console.WriteLine($"{title}: {samples.Count} damaged files: "
                + string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{samples.Count(s => s.Outcome == o)} {o}")));
            foreach (var group in samples.Where(s => s.Outcome == Outcome.Rejected).GroupBy(s => new string(s.Detail.Where(c => !char.IsAsciiHexDigit(c)).Take(70).ToArray())).OrderByDescending(g => g.Count()))
                Console.WriteLine($"  rejected {group.Count()} × {group.First().Detail}");
            foreach (var group in samples.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).GroupBy(s => s.Detail.Split(':')[0]))
                Console.WriteLine($"  {group.Count()} × {group.Key} (first at byte {group.First().Position}: {group.First().Detail})");
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public void EverySingleByteChangeIsRefusedOrHarmless(bool full)
        {
            var (ml, data, file, expected) = Saved(full);
            var random = new Random(15);
            var samples = new List<Sample>();
            for (int position = 0; position < file.Length; position++)
            {
                foreach (byte value in Changes(file[position], random))
                    samples.Add(Run(bytes => ml.Model.LoadSharedAutoencoder(new MemoryStream(bytes), out _), data, file, expected, position, value));
            }
            Console.WriteLine($"File: {file.Length} bytes.");
            Report(samples, "LoadSharedAutoencoder");
            var bad = samples.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).ToList();
            Assert.IsEmpty(bad, $"{bad.Count} damaged files loaded wrong or failed with another exception; first: byte {bad.FirstOrDefault()?.Position}: {bad.FirstOrDefault()?.Detail}");
        }
    
        [TestMethod]
        public void EverySingleByteChangeOfTheTransformerEntryInAValidZipIsRefusedOrHarmless()
        {
            // The entry is changed and the zip rewritten with the new CRC (a damaged copy that was re-zipped, or a bug in
            // a tool): the zip check cannot help; the transformer's own checks and checksum must.
            var (ml, data, file, expected) = Saved();
            byte[] entry = ZipEntries.Read(file, ZipEntries.ModelEntry);
            var random = new Random(16);
            var helper = new List<Sample>();
            var plain = new List<Sample>();
            for (int position = 0; position < entry.Length; position++)
            {
                foreach (byte value in Changes(entry[position], random))
                {
                    helper.Add(Run(bytes => ml.Model.LoadSharedAutoencoder(new MemoryStream(ZipEntries.Replace(file, bytes, ZipEntries.ModelEntry)), out _), data, entry, expected, position, value));
                    plain.Add(Run(bytes => ml.Model.Load(new MemoryStream(ZipEntries.Replace(file, bytes, ZipEntries.ModelEntry)), out _), data, entry, expected, position, value));
                }
            }
            Console.WriteLine($"Entry {ZipEntries.ModelEntry}: {entry.Length} bytes.");
            Report(helper, "LoadSharedAutoencoder");
            Report(plain, "Model.Load");
            var bad = helper.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).ToList();
            Assert.IsEmpty(bad, $"{bad.Count} damaged files loaded wrong or failed with another exception; first: byte {bad.FirstOrDefault()?.Position}: {bad.FirstOrDefault()?.Detail}");

            // Plain Model.Load never loads a different model either. It can fail with another exception only where ML.NET
            // reads its own header, before the transformer's loader runs: a damaged loader assembly name (UTF-16 at
            // FpAssemblyName, header offset 0x90, length at 0x98) is resolved by the runtime (FileNotFound, FileLoad, CultureNotFound).
            long assemblyName = BitConverter.ToInt64(entry, 0x90);
            uint assemblyNameBytes = BitConverter.ToUInt32(entry, 0x98);
            Assert.IsEmpty(plain.Where(s => s.Outcome == Outcome.Different).ToList(), "Model.Load loaded a different model");
            var outside = plain.Where(s => s.Outcome == Outcome.OtherException && (s.Position < assemblyName || s.Position >= assemblyName + assemblyNameBytes)).ToList();
            Assert.IsEmpty(outside, $"Model.Load failed with another exception outside ML.NET's assembly name; first: byte {outside.FirstOrDefault()?.Position}: {outside.FirstOrDefault()?.Detail}");
        }

        /// <summary>The output column's values on the fixed rows, as bits (for an anomaly detector also its labels and saved thresholds).</summary>
        private static long[] OutputBits(ITransformer model, IDataView data, string column)
        {
            var output = model.Transform(data);
            float[] values = output.Schema[column].Type is VectorDataViewType
                ? output.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues()).ToArray()
                : output.GetColumn<float>(column).ToArray();
            var bits = ReliabilityData.Bits(values).Select(b => (long)b);
            // An anomaly detector's threshold shows in its predicted labels; its model's saved values are compared too.
            if (model is AnomalyPredictionTransformer<SharedAutoencoderAnomalyModelParameters> detector)
            {
                bits = bits.Concat(output.GetColumn<bool>("PredictedLabel").Select(b => b ? 1L : 0L))
                    .Append(BitConverter.SingleToInt32Bits(detector.Model.TrainingThreshold)).Append(BitConverter.DoubleToInt64Bits(detector.Model.ThresholdQuantile));
            }
            return bits.ToArray();
        }

        /// <summary>
        /// Every byte of <paramref name="file"/> changed the three ways, or (<paramref name="stride"/> &gt; 1) every
        /// stride-th byte, loaded by <paramref name="load"/>: refused with a FormatException or bit-identical output.
        /// </summary>
        private static void Sweep(string title, byte[] file, IDataView data, Func<byte[], ITransformer> load, Func<ITransformer, IDataView, long[]> bitsOf, int stride)
        {
            long[] expected = bitsOf(load(file), data);
            var random = new Random(17);
            var samples = new List<Sample>();
            for (int position = 0; position < file.Length; position += stride)
            {
                foreach (byte value in Changes(file[position], random))
                    samples.Add(Run(load, data, file, expected, position, value, bitsOf));
            }
            Console.WriteLine($"File: {file.Length} bytes, every {(stride == 1 ? "" : stride + "th ")}byte.");
            Report(samples, title);
            Assert.IsGreaterThan(0, samples.Count(s => s.Outcome == Outcome.Rejected), "the sweep must damage something");
            var bad = samples.Where(s => s.Outcome is Outcome.Different or Outcome.OtherException).ToList();
            Assert.IsEmpty(bad, $"{bad.Count} damaged files loaded wrong or failed with another exception; first: byte {bad.FirstOrDefault()?.Position}: {bad.FirstOrDefault()?.Detail}");
        }

        [TestMethod]
        [DataRow(WhiteningKind.Zca, 0)]
        [DataRow(WhiteningKind.Pca, 3)]
        public void EverySingleByteChangeOfAWhiteningModelIsRefusedOrHarmless(WhiteningKind kind, int rank)
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Rows, seed: 3), N);
            var model = ml.Transforms.Whiten("White", "Features", kind, rank: rank).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            Sweep($"LoadWhitening ({kind}, rank {rank})", stream.ToArray(), data, bytes => ml.Model.LoadWhitening(new MemoryStream(bytes), out _),
                (loaded, view) => OutputBits(loaded, view, "White"), stride: 1);
        }

        [TestMethod]
        public void EverySingleByteChangeOfAnAnomalyModelIsRefusedOrHarmless()
        {
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Rows, seed: 3), N);
            var model = ml.AnomalyDetection.Trainers.SharedAutoencoder(hiddenUnits: M, maximumNumberOfIterations: 3, seed: 2).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            Sweep("LoadSharedAutoencoderAnomalyDetector", stream.ToArray(), data, bytes => ml.Model.LoadSharedAutoencoderAnomalyDetector(new MemoryStream(bytes), out _),
                (loaded, view) => OutputBits(loaded, view, "Score"), stride: 1);
        }

        [TestMethod]
        public void EverySingleByteChangeOfTheWhiteningAndAnomalyEntriesInAValidZipIsRefusedOrHarmless()
        {
            // As for the autoencoder: the entry is changed and re-zipped with a valid CRC, so only the component's own
            // length checks and checksum can help.
            var ml = new MLContext(1);
            var data = ReliabilityData.View(ml, ReliabilityData.Mixture(N, M, Rows, seed: 3), N);
            var whitening = ml.Transforms.Whiten("White", "Features", WhiteningKind.Zca).Fit(data);
            using var whiteningFile = new MemoryStream();
            ml.Model.Save(whitening, data.Schema, whiteningFile);
            byte[] file = whiteningFile.ToArray();
            Sweep("LoadWhitening, entry re-zipped", ZipEntries.Read(file), data,
                bytes => ml.Model.LoadWhitening(new MemoryStream(ZipEntries.Replace(file, bytes)), out _), (loaded, view) => OutputBits(loaded, view, "White"), stride: 1);

            const string anomalyEntry = "TransformerChain/Model/Model.key";
            var detector = ml.AnomalyDetection.Trainers.SharedAutoencoder(hiddenUnits: M, maximumNumberOfIterations: 3, seed: 2).Fit(data);
            using var anomalyFile = new MemoryStream();
            ml.Model.Save(detector, data.Schema, anomalyFile);
            byte[] anomaly = anomalyFile.ToArray();
            Sweep("LoadSharedAutoencoderAnomalyDetector, model entry re-zipped", ZipEntries.Read(anomaly, anomalyEntry), data,
                bytes => ml.Model.LoadSharedAutoencoderAnomalyDetector(new MemoryStream(ZipEntries.Replace(anomaly, bytes, anomalyEntry)), out _),
                (loaded, view) => OutputBits(loaded, view, "Score"), stride: 1);
        }
    }
}
