// Usage: MpiProbe info
//        MpiProbe train <outDir> <totalRows> <n> <m> <iterations> <seed> [--threads T] [--init NAME] [--stream]
//                 [--bad-row ROW] [--cancel-rank R] [--raw-split] [--batch B]
// info prints "rank R size P". train: every rank loads its shard of one bilinear-model dataset (DistributedTraining.ShardRange,
// or [r·N/P, (r+1)·N/P) with --raw-split), trains with FitDistributed and writes <outDir>/rank<R>.bin: int32 m, int32 n,
// W unit-major (m·n float32), b (m float32), int32 h, then h (double loss, float learning rate). Rank 0 also saves
// <outDir>/model.zip. A DistributedTrainingException is written to <outDir>/rank<R>.error (failed rank, then the message),
// exit code 3. --bad-row makes that row of the dataset NaN (on the rank holding it); --cancel-rank cancels that rank's
// training before it starts; --stream streams the rows on every pass instead of holding them in memory.
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
if (Flag("--bad-row") is string badText)
    shard = WithNaN(ml, (BilinearModelDataView)shard, long.Parse(badText) - first);

var options = new SharedAutoencoderEstimator.Options
{
    HiddenUnits = m,
    Iterations = iterations,
    Seed = seed,
    NumberOfThreads = int.Parse(Flag("--threads") ?? "1"),
    Initialization = Enum.Parse<WeightInitialization>(Flag("--init") ?? "Random"),
    MaxInMemoryRows = flags.Contains("--stream") ? 0 : null,
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

// The shard with row `row` (of the shard) made NaN; other rows as generated.
static IDataView WithNaN(MLContext ml, BilinearModelDataView view, long row)
{
    var rows = new List<ProbeRow>();
    for (long t = 0; t < view.RowCount; t++)
    {
        float[] features = view.GetFeatures(t);
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
