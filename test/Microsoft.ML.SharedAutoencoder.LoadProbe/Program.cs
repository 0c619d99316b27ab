// Usage: LoadProbe <model.zip> <rows.bin> <codes.bin>
// rows.bin: int32 rowCount, int32 n, then rowCount·n float32 values. codes.bin: int32 rowCount, int32 m, then the
// dense codes (float32) of column "Code", computed by the loaded model.
using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: LoadProbe <model.zip> <rows.bin> <codes.bin>");
    return 2;
}

var ml = new MLContext(seed: 123);
ITransformer model = ml.Model.Load(args[0], out DataViewSchema inputSchema);

var rows = new List<ProbeRow>();
using (var reader = new BinaryReader(File.OpenRead(args[1])))
{
    int count = reader.ReadInt32();
    int n = reader.ReadInt32();
    for (int t = 0; t < count; t++)
    {
        var features = new float[n];
        for (int j = 0; j < n; j++)
            features[j] = reader.ReadSingle();
        rows.Add(new ProbeRow { Features = features });
    }
}

var schema = SchemaDefinition.Create(typeof(ProbeRow));
schema[nameof(ProbeRow.Features)].ColumnType = inputSchema["Features"].Type;
IDataView codes = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
var column = codes.Schema["Code"];
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

internal sealed class ProbeRow
{
    public float[] Features { get; set; } = Array.Empty<float>();
}
