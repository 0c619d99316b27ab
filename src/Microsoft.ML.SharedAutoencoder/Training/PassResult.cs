namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>What one pass over the data gives: the mean loss, the gradient and how often each unit fired.</summary>
    internal sealed class PassResult
    {
        public PassResult(int inputSize, int hiddenUnits)
        {
            Gradient = new float[inputSize * hiddenUnits];
            ActiveCounts = new long[hiddenUnits];
        }

        /// <summary>Mean over rows of ½‖y − ŷ‖².</summary>
        public double Loss { get; set; }

        /// <summary>Mean over rows of ½‖y‖²: the loss of the all-zero code, the scale against which a loss is at rounding level.</summary>
        public double ZeroCodeLoss { get; set; }

        /// <summary>g (unit-major): g_i = −(1/N) Σ 1{x_i≠0}(z_i r + y W_iᵀr); all zero after a pass run without the gradient.</summary>
        public float[] Gradient { get; }

        /// <summary>Number of rows in which unit i fired.</summary>
        public long[] ActiveCounts { get; }

        public long RowCount { get; set; }
    }
}
