// Usage: LoadProbe <model.zip> <rows.bin> <codes.bin> [output column, default "Code"]
//        LoadProbe train <rows.bin> <hiddenUnits> <seed> <threads> <parameters.bin>
// rows.bin: int32 rowCount, int32 n, then rowCount·n float32 values. codes.bin: int32 rowCount, int32 m, then the
// dense codes (float32) of column "Code" (or the named output column), computed by the loaded model.
// Train mode fits the estimator (ReLU, 10 iterations, the given seed and threads) and writes parameters.bin:
// int32 m, int32 n, W unit-major (m·n float32), b (m float32), int32 h, then h (double loss, float learning rate).
//        LoadProbe score <model.zip> <rows.bin> <scores.bin>
// Score mode loads an anomaly detector and writes int32 rowCount, then per row float32 Score and byte PredictedLabel.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.SharedAutoencoder;

if (args.Length == 6 && args[0] == "train")
    return Train(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), args[5]);

if (args.Length == 4 && args[0] == "score")
    return Score(args[1], args[2], args[3]);

if (args.Length != 3 && args.Length != 4)
{
    Console.Error.WriteLine("usage: LoadProbe <model.zip> <rows.bin> <codes.bin> [output column] | LoadProbe train <rows.bin> <hiddenUnits> <seed> <threads> <parameters.bin>");
    return 2;
}

var ml = new MLContext(seed: 123);
ITransformer model = ml.Model.Load(args[0], out DataViewSchema inputSchema);

var rows = ReadRows(args[1], out _);

var schema = SchemaDefinition.Create(typeof(ProbeRow));
schema[nameof(ProbeRow.Features)].ColumnType = inputSchema["Features"].Type;
IDataView codes = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
var column = codes.Schema[args.Length == 4 ? args[3] : "Code"];
using (var writer = new BinaryWriter(File.Create(args[2])))
using (var cursor = codes.GetRowCursor(new[] { column }))
{
    var getter = cursor.GetGetter<VBuffer<float>>(column);
    VBuffer<float> code = default;
    int m = ((VectorDataViewType)column.Type).Size;
    writer.Write(rows.Count);
    writer.Write(m);
    while (cursor.MoveNext())
    {
        getter(ref code);
        foreach (float v in code.DenseValues())
            writer.Write(v);
    }
}
return 0;

static List<ProbeRow> ReadRows(string path, out int n)
{
    var rows = new List<ProbeRow>();
    using var reader = new BinaryReader(File.OpenRead(path));
    int count = reader.ReadInt32();
    n = reader.ReadInt32();
    for (int t = 0; t < count; t++)
    {
        var features = new float[n];
        for (int j = 0; j < n; j++)
            features[j] = reader.ReadSingle();
        rows.Add(new ProbeRow { Features = features });
    }
    return rows;
}

static int Train(string rowsPath, int hiddenUnits, int seed, int threads, string outputPath)
{
    var ml = new MLContext(seed: 7);
    var rows = ReadRows(rowsPath, out int n);
    var schema = SchemaDefinition.Create(typeof(ProbeRow));
    schema[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
    var options = new SharedAutoencoderEstimator.Options { Normalization = InputNormalization.None, SplitPolarity = false, Initialization = WeightInitialization.Random, Encoding = CodeEncoding.Activation, HiddenUnits = hiddenUnits, MaximumNumberOfIterations = 10, Seed = seed, NumberOfThreads = threads };
    var model = ml.Transforms.SharedAutoencoder(options).Fit(ml.Data.LoadFromEnumerable(rows, schema));
    using var writer = new BinaryWriter(File.Create(outputPath));
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
    return 0;
}

static int Score(string modelPath, string rowsPath, string outputPath)
{
    var ml = new MLContext(seed: 123);
    ITransformer model = ml.Model.Load(modelPath, out DataViewSchema inputSchema);
    var rows = ReadRows(rowsPath, out _);
    var schema = SchemaDefinition.Create(typeof(ProbeRow));
    schema[nameof(ProbeRow.Features)].ColumnType = inputSchema["Features"].Type;
    IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
    float[] scores = scored.GetColumn<float>("Score").ToArray();
    bool[] labels = scored.GetColumn<bool>("PredictedLabel").ToArray();
    using var writer = new BinaryWriter(File.Create(outputPath));
    writer.Write(scores.Length);
    for (int t = 0; t < scores.Length; t++)
    {
        writer.Write(scores[t]);
        writer.Write(labels[t] ? (byte)1 : (byte)0);
    }
    return 0;
}

internal sealed class ProbeRow
{
    public float[] Features { get; set; } = Array.Empty<float>();
}
