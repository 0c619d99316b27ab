namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// How well learned sparse codes x recover the ground-truth latent codes x* (the paper's code consistency,
    /// Theorem 3), once learned unit π(i) is identified with truth atom i and its sign s_i is applied. Produced by
    /// <see cref="DictionaryRecovery.EvaluateCodes(Microsoft.ML.IDataView, string, string, DictionaryRecoveryMetrics)"/>.
    /// </summary>
    /// <remarks>
    /// A row's learned code has one entry per learned unit; its latent code one entry per truth atom. Learned units
    /// that the dictionary matching left unmatched have no truth counterpart, so a row with any of them nonzero counts
    /// as neither support- nor sign-recovered. Both rates are in [0, 1] and larger is better; sign recovery implies
    /// support recovery, so <see cref="SignRecoveryRate"/> ≤ <see cref="SupportRecoveryRate"/>.
    /// </remarks>
    public sealed class CodeRecoveryMetrics
    {
        /// <summary>
        /// The fraction of rows whose support is recovered: for every truth atom i, x_π(i) ≠ 0 exactly when x*_i ≠ 0,
        /// and every unmatched learned unit is 0. <see cref="double.NaN"/> when there are no rows.
        /// </summary>
        public double SupportRecoveryRate { get; }

        /// <summary>
        /// The fraction of rows whose signs are recovered on the whole vector: for every truth atom i,
        /// sgn(x_π(i)) · s_i = sgn(x*_i) (with sgn(0) = 0), and every unmatched learned unit is 0.
        /// <see cref="double.NaN"/> when there are no rows.
        /// </summary>
        public double SignRecoveryRate { get; }

        /// <summary>The number of rows compared.</summary>
        public long RowCount { get; }

        /// <summary>The number of rows whose support is recovered (numerator of <see cref="SupportRecoveryRate"/>).</summary>
        public long SupportRecoveredRowCount { get; }

        /// <summary>The number of rows whose signs are recovered (numerator of <see cref="SignRecoveryRate"/>).</summary>
        public long SignRecoveredRowCount { get; }

        internal CodeRecoveryMetrics(long rowCount, long supportRecoveredRowCount, long signRecoveredRowCount)
        {
            RowCount = rowCount;
            SupportRecoveredRowCount = supportRecoveredRowCount;
            SignRecoveredRowCount = signRecoveredRowCount;
            SupportRecoveryRate = rowCount == 0 ? double.NaN : (double)supportRecoveredRowCount / rowCount;
            SignRecoveryRate = rowCount == 0 ? double.NaN : (double)signRecoveredRowCount / rowCount;
        }
    }
}
