using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.SharedAutoencoder.Rows
{
    /// <summary>The input-column check shared by the package's estimators and trainers.</summary>
    internal static class InputColumn
    {
        /// <summary>
        /// The length of column <paramref name="name"/>, which must exist and be a known-size vector of Single; otherwise
        /// ML.NET's schema-mismatch exception naming the column and the expected type.
        /// </summary>
        public static int KnownSizeFloatVector(IExceptionContext ectx, DataViewSchema schema, string name)
        {
            if (!schema.TryGetColumnIndex(name, out int index))
                throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name);
            DataViewType type = schema[index].Type;
            if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || !vector.IsKnownSize)
                throw ectx.ExceptSchemaMismatch(nameof(schema), "input", name, "known-size vector of Single", type.ToString());
            return vector.Size;
        }
    }
}
