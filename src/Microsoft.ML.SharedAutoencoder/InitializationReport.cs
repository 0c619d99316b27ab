using System.Globalization;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>What the initialization of a training run did: how many columns the chosen method found by itself.</summary>
    /// <remarks>Not saved with the model: a loaded transformer's history has no report.</remarks>
    public sealed class InitializationReport
    {
        internal InitializationReport(WeightInitialization method, int requestedColumns, int foundColumns, int completedColumns, int pairsTried, int pairsAccepted, int residualColumns = 0, int rejectedColumns = 0)
        {
            Method = method;
            RequestedColumns = requestedColumns;
            FoundColumns = foundColumns;
            CompletedColumns = completedColumns;
            PairsTried = pairsTried;
            PairsAccepted = pairsAccepted;
            ResidualColumns = residualColumns;
            RejectedColumns = rejectedColumns;
        }

        /// <summary>The initialization that ran.</summary>
        public WeightInitialization Method { get; }

        /// <summary>m, the number of columns W⁰ has.</summary>
        public int RequestedColumns { get; }

        /// <summary>
        /// Columns the method produced by itself. For <see cref="WeightInitialization.Spectral"/>: the distinct top
        /// singular vectors accepted (at most m); for the other methods, m.
        /// </summary>
        public int FoundColumns { get; }

        /// <summary>
        /// Columns that had to be completed: for <see cref="WeightInitialization.Spectral"/>, m − <see cref="FoundColumns"/>
        /// columns seeded from data rows far from the found ones (the <see cref="WeightInitialization.Samples"/> rule).
        /// </summary>
        public int CompletedColumns { get; }

        /// <summary>Pairs (u, v) of rows examined by <see cref="WeightInitialization.Spectral"/>; 0 for the other methods.</summary>
        public int PairsTried { get; }

        /// <summary>Pairs whose M̂_{u,v} passed the σ₁ and gap tests (found columns plus duplicates); 0 for the other methods.</summary>
        public int PairsAccepted { get; }

        /// <summary>
        /// Of <see cref="FoundColumns"/>, those <see cref="WeightInitialization.Spectral"/> found after its pair budget was
        /// spent, by refining from the residuals of the rows the other found columns explain worst; 0 for the other methods.
        /// </summary>
        public int ResidualColumns { get; }

        /// <summary>
        /// Vectors <see cref="WeightInitialization.Spectral"/> accepted during its search but removed after polishing them
        /// on all rows (they did not settle, duplicated a vector with heavier-tailed projections, or had an excess kurtosis
        /// below half the median: fixed points between atoms); 0 for the other methods.
        /// </summary>
        public int RejectedColumns { get; }

        /// <summary>A one-line summary, as written to the training log.</summary>
        /// <returns>The summary.</returns>
        public override string ToString() => Method == WeightInitialization.Spectral
            ? string.Format(CultureInfo.InvariantCulture,
                "Spectral initialization: found {0} of {1} columns from {2} pairs ({3} passed the tests) and {4} from residuals; {5} rejected after polishing; {6} completed from data rows.",
                FoundColumns, RequestedColumns, PairsTried, PairsAccepted, ResidualColumns, RejectedColumns, CompletedColumns)
            : string.Format(CultureInfo.InvariantCulture, "{0} initialization: {1} columns.", Method, RequestedColumns);
    }
}
