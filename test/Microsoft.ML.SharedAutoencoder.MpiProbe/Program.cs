// Usage: MpiProbe info
//        MpiProbe comm <repeats>
//        MpiProbe bench <totalRows> <n> <m> <threads> <fromIteration> <toIteration> [--plain] [--stream]
//        MpiProbe train <outDir> <totalRows> <n> <m> <iterations> <seed> [--threads T] [--init NAME] [--stream]
//                 [--bad-row ROW] [--scale X] [--cancel-rank R] [--raw-split] [--batch B]
// info prints "rank R size P". train: every rank loads its shard of one bilinear-model dataset (DistributedTraining.ShardRange,
// or [r·N/P, (r+1)·N/P) with --raw-split), trains with FitDistributed and writes <outDir>/rank<R>.bin: int32 m, int32 n,
// W unit-major (m·n float32), b (m float32), int32 h, then h (double loss, float learning rate). Rank 0 also saves
// <outDir>/model.zip. A DistributedTrainingException is written to <outDir>/rank<R>.error (failed rank, then the message),
// exit code 3. Another exception is written there too (failed rank -2, then its type and message), exit code 4.
// --bad-row makes that row of the dataset NaN (on the rank holding it); --scale multiplies every feature by X (on every
// rank: 1e20 overflows the loss, a failure every rank sees in the combined totals); --cancel-rank cancels that rank's
// training before it starts; --stream streams the rows on every pass instead of holding them in memory.
// bench fits N bilinear-model rows (n, m, k = 3, no noise) for B iterations and prints the time per step between the
// logs of iterations A and B, and the share of the passes spent combining them; --plain fits with an ordinary Fit in
// one process (no MPI combination) for comparison. comm times the combination's messages alone (the chain
// rank 0 → 1 → … → P−1, then a broadcast from P−1) for several message sizes: the α and β of the cost model.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder;
using Microsoft.ML.SharedAutoencoder.Mpi;

using var mpi = MpiSession.Start(ref args);
if (args.Length == 1 && args[0] == "info")
{
    Console.WriteLine($"rank {mpi.Rank} size {mpi.Size}");
    return 0;
}
if (args.Length == 2 && args[0] == "comm")
    return Communication(mpi, int.Parse(args[1]));
if (args.Length >= 7 && args[0] == "bench")
    return Bench(mpi, args);
if (args.Length < 7 || args[0] != "train")
{
    Console.Error.WriteLine("usage: MpiProbe info | MpiProbe train <outDir> <totalRows> <n> <m> <iterations> <seed> [options]");
    return 2;
}

string outDir = args[1];
long totalRows = long.Parse(args[2]);
int n = int.Parse(args[3]);
int m = int.Parse(args[4]);
int iterations = int.Parse(args[5]);
int seed = int.Parse(args[6]);
var flags = args.Skip(7).ToList();
string? Flag(string name) => flags.IndexOf(name) is int i and >= 0 && i + 1 < flags.Count ? flags[i + 1] : null;

var ml = new MLContext(seed: 1 + mpi.Rank);
var data = new BilinearModelOptions { FeatureCount = n, AtomCount = m, Sparsity = Math.Min(3, m), NoiseStandardDeviation = 0.01f, Seed = seed };
(long first, long count) = flags.Contains("--raw-split")
    ? (totalRows * mpi.Rank / mpi.Size, totalRows * (mpi.Rank + 1) / mpi.Size - totalRows * mpi.Rank / mpi.Size)
    : DistributedTraining.ShardRange(totalRows, mpi.Rank, mpi.Size);
IDataView shard = ml.Data.LoadFromBilinearModel(data, count, first);
if (Flag("--bad-row") is string || Flag("--scale") is string)
    shard = Altered(ml, (BilinearModelDataView)shard, Flag("--bad-row") is string bad ? long.Parse(bad) - first : -1, float.Parse(Flag("--scale") ?? "1"));

var options = new SharedAutoencoderEstimator.Options
{
    // The paper's settings (the defaults before format 0x00010004).
    Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
    HiddenUnits = m,
    MaximumNumberOfIterations = iterations,
    Seed = seed,
    NumberOfThreads = int.Parse(Flag("--threads") ?? "1"),
    Initialization = Enum.Parse<WeightInitialization>(Flag("--init") ?? "Random"),
    MaximumInMemoryRows = flags.Contains("--stream") ? 0 : null,
    BatchSize = Flag("--batch") is string batch ? int.Parse(batch) : null,
};
using var cancellation = new CancellationTokenSource();
if (Flag("--cancel-rank") is string cancelRank && int.Parse(cancelRank) == mpi.Rank)
    cancellation.Cancel();

Directory.CreateDirectory(outDir);
SharedAutoencoderTransformer model;
try
{
    model = ml.Transforms.SharedAutoencoder(options).FitDistributed(shard, mpi.World, cancellation.Token);
}
catch (DistributedTrainingException error)
{
    File.WriteAllText(Path.Combine(outDir, $"rank{mpi.Rank}.error"), $"{error.FailedRank}\n{error.Message}");
    return 3;
}
catch (InvalidOperationException error)
{
    File.WriteAllText(Path.Combine(outDir, $"rank{mpi.Rank}.error"), $"-2\n{error.GetType().Name}: {error.Message}");
    return 4;
}

using (var writer = new BinaryWriter(File.Create(Path.Combine(outDir, $"rank{mpi.Rank}.bin"))))
{
    writer.Write(model.Model.HiddenUnits);
    writer.Write(model.Model.InputSize);
    foreach (float[] column in model.Model.GetWeights())
        foreach (float v in column)
            writer.Write(v);
    foreach (float v in model.Model.GetBias())
        writer.Write(v);
    writer.Write(model.History.Iterations.Count);
    foreach (var entry in model.History.Iterations)
    {
        writer.Write(entry.Loss);
        writer.Write(entry.LearningRate);
    }
}
if (mpi.Rank == 0)
    ml.Model.Save(model, shard.Schema, Path.Combine(outDir, "model.zip"));
return 0;

static int Communication(MpiSession mpi, int repeats)
{
    var world = mpi.World;
    foreach (int length in new[] { 1, 1_000, 7_953, 10_000, 100_000, 1_000_000 })
    {
        var message = new double[length];
        var times = new List<double>();
        for (int r = 0; r < repeats + 3; r++)
        {
            world.Barrier();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            if (world.Rank > 0)
                world.Receive(world.Rank - 1, 1, ref message);
            if (world.Rank < world.Size - 1)
                world.Send(message, world.Rank + 1, 1);
            world.Broadcast(ref message, world.Size - 1);
            double elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r >= 3)
                times.Add(elapsed);
        }
        times.Sort();
        if (world.Rank == 0)
            Console.WriteLine(System.FormattableString.Invariant($"P = {world.Size}, {length} doubles ({length * 8.0 / 1e6:F3} MB): chain + broadcast median {times[times.Count / 2] * 1e6:F1} µs, min {times[0] * 1e6:F1} µs"));
    }
    return 0;
}

static int Bench(MpiSession mpi, string[] args)
{
    long totalRows = long.Parse(args[1]);
    int n = int.Parse(args[2]), m = int.Parse(args[3]), threads = int.Parse(args[4]);
    int from = int.Parse(args[5]), to = int.Parse(args[6]);
    bool plain = args.Contains("--plain"), stream = args.Contains("--stream");
    var ml = new MLContext(seed: 1);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var logged = new Dictionary<int, double>();
    double combineSeconds = 0, foldSeconds = 0;
    int combinedPasses = 0;
    // The log is written on the training thread right after each step: its arrival times give the time per step,
    // without loading and initialization.
    ml.Log += (_, e) =>
    {
        var step = System.Text.RegularExpressions.Regex.Match(e.Message, @"Iteration (\d+)/\d+: loss");
        if (step.Success)
            logged[int.Parse(step.Groups[1].Value)] = clock.Elapsed.TotalSeconds;
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, @"combining the passes took ([0-9.]+) s over (\d+) passes .*, of which ([0-9.]+) s adding");
        if (match.Success)
        {
            combineSeconds = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            combinedPasses = int.Parse(match.Groups[2].Value);
            foldSeconds = double.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
    };
    var data = new BilinearModelOptions { FeatureCount = n, AtomCount = m, Sparsity = 3, Seed = 5 };
    var shard = plain ? ml.Data.LoadFromBilinearModel(data, totalRows) : ml.Data.LoadFromBilinearModelShard(data, totalRows, mpi.World);
    var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = m, MaximumNumberOfIterations = to, Seed = 1, NumberOfThreads = threads, MaximumInMemoryRows = stream ? 0 : null };
    var estimator = ml.Transforms.SharedAutoencoder(options);
    mpi.World.Barrier();
    double start = clock.Elapsed.TotalSeconds;
    _ = plain ? estimator.Fit(shard) : estimator.FitDistributed(shard, mpi.World);
    double total = clock.Elapsed.TotalSeconds - start;
    double stepSeconds = (logged[to] - logged[from]) / (to - from);
    // Every iteration is one pass at the candidate, plus the first pass: the combining time is spread over the passes.
    double combinePerPass = combinedPasses > 0 ? combineSeconds / combinedPasses : 0;
    double foldPerPass = combinedPasses > 0 ? foldSeconds / combinedPasses : 0;
    Console.WriteLine(System.FormattableString.Invariant(
        $"rank {mpi.Rank} of {mpi.Size}{(plain ? " (plain Fit)" : "")}, {threads} thread(s), N = {totalRows}, n = {n}, m = {m}{(stream ? ", streamed" : "")}: fit {total:F2} s, step {stepSeconds * 1000:F2} ms (iterations {from}..{to}), combining {combinePerPass * 1000:F3} ms a pass on average ({100 * combinePerPass / stepSeconds:F2} % of a step), waiting included; of which adding its chunks {foldPerPass * 1000:F3} ms"));
    return 0;
}

// The shard with row `row` (of the shard; -1: none) made NaN and every value multiplied by `scale`.
static IDataView Altered(MLContext ml, BilinearModelDataView view, long row, float scale)
{
    var rows = new List<ProbeRow>();
    for (long t = 0; t < view.RowCount; t++)
    {
        float[] features = view.GetFeatures(t);
        for (int j = 0; j < features.Length; j++)
            features[j] *= scale;
        if (t == row)
            features[0] = float.NaN;
        rows.Add(new ProbeRow { Features = features });
    }
    var schema = SchemaDefinition.Create(typeof(ProbeRow));
    schema[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, view.Model.FeatureCount);
    return ml.Data.LoadFromEnumerable(rows, schema);
}

internal sealed class ProbeRow
{
    public float[] Features { get; set; } = Array.Empty<float>();
}
