using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML.SharedAutoencoder.Examples.Common;

namespace Microsoft.ML.SharedAutoencoder.Examples.Research
{
    /// <summary>The three initializations of the paper's Section 6.</summary>
    internal enum PaperInitialization
    {
        /// <summary>W⁰ = A + δE, column-normalized (passed as <see cref="WeightInitialization.Given"/>).</summary>
        NearTruth,

        /// <summary>The top-m singular vectors of the data (<see cref="WeightInitialization.Pca"/>).</summary>
        Pca,

        /// <summary>Random Gaussian columns (<see cref="WeightInitialization.Random"/>).</summary>
        Random,
    }

    /// <summary>
    /// One way of reading the ambiguous places of the paper's Section 6: the scale of the dictionary A, the scale of
    /// the perturbation E (N(0, 1/√n) read as a variance or as a standard deviation), the initial bias, and the
    /// nonlinearity (the text's ReLU with b ← b/2, or a hard threshold with a fixed bias).
    /// </summary>
    internal sealed record PaperReading(
        string Name,
        string Description,
        bool UnitNormDictionary,
        bool PerturbationVarianceIsOneOverRootN,
        bool PaperBias,
        AutoencoderActivation Activation = AutoencoderActivation.Relu)
    {
        /// <summary>
        /// The text taken literally: A_i ~ N(0, I/√n) (so ‖A_i‖ ≈ n^¼ ≈ 5.3 for n = 784), E_ij with variance 1/√n,
        /// b⁰ = −2.5δ.
        /// </summary>
        public static PaperReading Faithful { get; } = new("faithful",
            "A_i ~ N(0, I/√n) (‖A_i‖ ≈ n^¼), E_ij variance 1/√n, b⁰ = −2.5δ", UnitNormDictionary: false, PerturbationVarianceIsOneOverRootN: true, PaperBias: true);

        /// <summary>The theory's unit-norm A with the text's bias b⁰ = −2.5δ: checks whether any unit fires.</summary>
        public static PaperReading UnitNormPaperBias { get; } = new("unit-norm-paper-bias",
            "‖A_i‖ = 1, E_ij standard deviation 1/√n, b⁰ = −2.5δ", UnitNormDictionary: true, PerturbationVarianceIsOneOverRootN: false, PaperBias: true);

        /// <summary>The theory's setting: unit-norm A, ‖E_i‖ ≈ 1, the library's ReLU bias −1/ln n.</summary>
        public static PaperReading Working { get; } = new("working",
            "‖A_i‖ = 1, E_ij standard deviation 1/√n, b⁰ = −1/ln n (library default)", UnitNormDictionary: true, PerturbationVarianceIsOneOverRootN: false, PaperBias: false);

        /// <summary>
        /// The reading under which Figure 3's sentence holds: the hard threshold λ = ½ with b = 0 and C = 1 (the bias
        /// never moves), ζ = m, unit-norm A, E_ij with standard deviation 1/√n. A+δE reaches the statistical floor
        /// σ√(nm²/N); PCA and random starts do not recover A.
        /// </summary>
        public static PaperReading HardThreshold { get; } = new("hard-threshold",
            "‖A_i‖ = 1, E_ij standard deviation 1/√n, hard threshold λ = ½, b = 0, C = 1",
            UnitNormDictionary: true, PerturbationVarianceIsOneOverRootN: false, PaperBias: false, AutoencoderActivation.HardThreshold);

        public static IReadOnlyList<PaperReading> All { get; } = new[] { Faithful, UnitNormPaperBias, Working, HardThreshold };
    }

    /// <summary>The sizes and seeds of a reproduction; the defaults are the paper's.</summary>
    internal sealed class ReproductionSettings
    {
        public int FeatureCount { get; set; } = 784;

        public int Components { get; set; } = 10;

        public int Rows { get; set; } = 10_000;

        public int Iterations { get; set; } = 50;

        public int Trials { get; set; } = 5;

        public double[] Sigmas { get; set; } = { 0.01, 0.02, 0.03 };

        /// <summary>The σ of Figure 3 (spread over trials).</summary>
        public double TrialSigma { get; set; } = 0.01;

        /// <summary>
        /// The statistical floor σ√(nm²/N) of ‖π(W) − A‖_F for the mixture: each column's mean over its ≈ N/m rows keeps
        /// noise of norm σ√(n·m/N), and m columns add up in squares.
        /// </summary>
        public double Floor(double sigma) => sigma * Math.Sqrt((double)FeatureCount * Components * Components / Rows);

        public double Delta { get; set; } = 0.5;

        public int Seed { get; set; } = 2019;

        public int? Threads { get; set; }

        /// <summary>Where the library's warnings go (the command's stderr); null: nowhere.</summary>
        public TextWriter? Warnings { get; set; }

        /// <summary>
        /// Default: the library's ReLU reading and the hard-threshold reading under which Figure 3's claim holds; the
        /// others are for comparison.
        /// </summary>
        public IReadOnlyList<PaperReading> Readings { get; set; } = new[] { PaperReading.Working, PaperReading.HardThreshold };
    }

    /// <summary>One training run: its setting and the history the estimator recorded.</summary>
    internal sealed record ReproductionRun(
        PaperReading Reading,
        PaperInitialization Initialization,
        double Sigma,
        int Trial,
        TrainingHistory History,
        double Seconds,
        double SignInvariantError)
    {
        public IReadOnlyList<TrainingIteration> Accepted => History.Iterations.Where(i => !i.Undone).ToList();

        public TrainingIteration Final => Accepted[^1];

        public TrainingIteration Initial => History.Iterations[0];

        /// <summary>The first accepted state in which some unit fired on some row; null if none ever did.</summary>
        public int? FirstActiveIteration => Accepted.FirstOrDefault(i => i.ActiveFraction > 0)?.Iteration;
    }

    /// <summary>‖normalize(A + δE) − Ā‖_F for one reading of A's scale and one of E's, averaged over the trials.</summary>
    internal sealed record InitialDistance(bool UnitNormDictionary, bool PerturbationVarianceIsOneOverRootN, double MeanFrobenius, double MeanMaxColumn);

    /// <summary>The outcome of a reproduction.</summary>
    internal sealed class ReproductionResult
    {
        public List<ReproductionRun> Runs { get; } = new();

        public List<InitialDistance> InitialDistances { get; } = new();

        public double TotalSeconds { get; set; }

        /// <summary>How many fits ran side by side.</summary>
        public int ConcurrentFits { get; set; }
    }

    /// <summary>
    /// The paper's Section 6: a mixture of m Gaussians y = A_c + η in n dimensions, η ~ N(0, σ²I), N rows per Monte
    /// Carlo trial, m ReLU units, ζ = m, T steps, b ← b/2, three initializations. Data come from
    /// <c>LoadFromBilinearModel</c>; the recovery error ‖π(W) − Ā‖_F from the estimator's
    /// <c>GroundTruthDictionary</c> option (Ā = A with unit-norm columns: W always has unit-norm columns, so this is
    /// the distance that can go to 0).
    /// </summary>
    internal static class PaperReproduction
    {
        public static ReproductionResult Run(ReproductionSettings settings, Action<string>? progress = null, Action<int, int>? finished = null)
        {
            var total = Stopwatch.StartNew();
            var result = new ReproductionResult();
            var distanceSums = new Dictionary<(bool, bool), (double Frobenius, double Max)>();
            var fits = PlanFits(settings, distanceSums);
            result.ConcurrentFits = Math.Min(settings.Threads ?? Environment.ProcessorCount, fits.Count);
            result.Runs.AddRange(RunFits(settings, fits, progress, finished));
            foreach (var ((unit, variance), sum) in distanceSums)
                result.InitialDistances.Add(new InitialDistance(unit, variance, sum.Frobenius / settings.Trials, sum.Max / settings.Trials));
            result.TotalSeconds = total.Elapsed.TotalSeconds;
            return result;
        }

        /// <summary>
        /// Draws every trial's ground truth and data (in trial order, so the numbers do not depend on how the fits are
        /// scheduled), sums the initial distances of ambiguity (3), and lists the fits.
        /// </summary>
        private static List<FitJob> PlanFits(ReproductionSettings settings, Dictionary<(bool, bool), (double Frobenius, double Max)> distanceSums)
        {
            int n = settings.FeatureCount, m = settings.Components;
            var mlContext = new MLContext(settings.Seed);
            var fits = new List<FitJob>();
            for (int trial = 0; trial < settings.Trials; trial++)
            {
                var truth = DrawTrial(settings, trial);
                foreach (bool unit in new[] { false, true })
                {
                    foreach (bool variance in new[] { true, false })
                    {
                        var start = NormalizeColumns(truth.NearTruthInitialWeights(unit, variance, settings.Delta));
                        var metrics = DictionaryRecovery.Evaluate(start, truth.UnitDictionary, allowSignFlips: false);
                        distanceSums.TryGetValue((unit, variance), out var sum);
                        distanceSums[(unit, variance)] = (sum.Frobenius + metrics.FrobeniusError, sum.Max + metrics.MaxColumnError);
                    }
                }

                double[] sigmas = trial == 0 ? settings.Sigmas : new[] { settings.TrialSigma };
                foreach (double sigma in sigmas)
                {
                    var loaded = mlContext.Data.LoadFromBilinearModel(new BilinearModelOptions
                    {
                        FeatureCount = n,
                        AtomCount = m,
                        LatentCodeModel = LatentCodeModel.MixtureOfGaussians,
                        NoiseStandardDeviation = (float)sigma,
                        Dictionary = truth.UnitDictionary,
                        Seed = truth.DataSeed,
                    }, settings.Rows);
                    IDataView? rescaled = null;
                    foreach (var reading in settings.Readings)
                    {
                        IDataView data = loaded;
                        if (!reading.UnitNormDictionary)
                            data = rescaled ??= Rescale(mlContext, loaded, truth, n, m);
                        foreach (PaperInitialization init in Enum.GetValues<PaperInitialization>())
                            fits.Add(new FitJob(reading, init, sigma, trial, truth, data));
                    }
                }
            }
            return fits;
        }

        /// <summary>
        /// Fits run side by side, one thread each: a fit's result does not depend on its thread count, and whole fits
        /// keep both cores busy through the parts of a fit that run on one thread (reading the rows, initialization).
        /// </summary>
        private static ReproductionRun[] RunFits(ReproductionSettings settings, List<FitJob> fits, Action<string>? progress, Action<int, int>? finished)
        {
            var runs = new ReproductionRun[fits.Count];
            var progressLock = new object();
            int done = 0;
            int threads = settings.Threads ?? Environment.ProcessorCount;
            finished?.Invoke(0, fits.Count);
            Parallel.For(0, fits.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, index =>
            {
                runs[index] = Fit(settings, fits[index]);
                lock (progressLock)
                {
                    var run = runs[index];
                    done++;
                    progress?.Invoke(
                        FormattableString.Invariant($"[{done,3}/{fits.Count}] {run.Reading.Name,-20} {Label(run.Initialization),-7} σ={run.Sigma:0.###} trial {run.Trial}: ")
                        + FormattableString.Invariant($"loss {run.Initial.Loss:G4} → {run.Final.Loss:G4}, ‖W−A‖_F {run.Initial.RecoveryError:F3} → {run.Final.RecoveryError:F3}, ")
                        + FormattableString.Invariant($"active {run.Initial.ActiveFraction:P1} → {run.Final.ActiveFraction:P1} ({run.Seconds:F2} s)"));
                    finished?.Invoke(done, fits.Count);
                }
            });
            return runs;
        }

        /// <summary>One of the reproduction's fits: a reading, an initialization and the data of one σ and trial.</summary>
        private sealed record FitJob(PaperReading Reading, PaperInitialization Initialization, double Sigma, int Trial, TrialTruth Truth, IDataView Data);

        private static ReproductionRun Fit(ReproductionSettings settings, FitJob job)
        {
            var watch = Stopwatch.StartNew();
            var options = new SharedAutoencoderEstimator.Options
            {
                // The paper's settings (the defaults before format 0x00010004).
                Normalization = InputNormalization.None, SplitPolarity = false, Encoding = CodeEncoding.Activation,
                HiddenUnits = settings.Components,
                Activation = job.Reading.Activation,
                Threshold = 0.5f,
                // The hard threshold keeps b = 0 fixed (C = 1); the ReLU readings use the text's b ← b/2.
                InitialBias = job.Reading.PaperBias ? (float)(-2.5 * settings.Delta) : job.Reading.Activation == AutoencoderActivation.HardThreshold ? 0 : null,
                BiasDecay = job.Reading.Activation == AutoencoderActivation.HardThreshold ? 1 : 2,
                LearningRate = settings.Components,
                MaximumNumberOfIterations = settings.Iterations,
                Initialization = job.Initialization switch
                {
                    PaperInitialization.NearTruth => WeightInitialization.Given,
                    PaperInitialization.Pca => WeightInitialization.Pca,
                    _ => WeightInitialization.Random,
                },
                InitialWeights = job.Initialization == PaperInitialization.NearTruth
                    ? job.Truth.NearTruthInitialWeights(job.Reading.UnitNormDictionary, job.Reading.PerturbationVarianceIsOneOverRootN, settings.Delta)
                    : null,
                Seed = job.Truth.WeightSeed,
                GroundTruthDictionary = job.Truth.UnitDictionary,
                GroundTruthAllowsSignFlips = false,
                NumberOfThreads = 1,
            };
            // An MLContext per fit: fits run on several threads at once.
            var mlContext = settings.Warnings == null ? new MLContext(settings.Seed) : Contexts.Create(settings.Seed, settings.Warnings);
            var transformer = mlContext.Transforms.SharedAutoencoder(options).Fit(job.Data);
            // Up to sign as well: the hard threshold fires on |z| > λ, so −A_i codes a row as well as A_i does.
            double signInvariant = DictionaryRecovery.Evaluate(transformer.Model.GetWeights(), job.Truth.UnitDictionary, allowSignFlips: true).FrobeniusError;
            return new ReproductionRun(job.Reading, job.Initialization, job.Sigma, job.Trial, transformer.History, watch.Elapsed.TotalSeconds, signInvariant);
        }

        public static string Label(PaperInitialization init) => init switch
        {
            PaperInitialization.NearTruth => "A+δE",
            PaperInitialization.Pca => "PCA",
            _ => "random",
        };

        /// <summary>
        /// Turns rows y = Ā_c + η of the loader into y = A_c + η with the unnormalized A_c = ‖A_c‖Ā_c of the faithful
        /// reading, using the loader's Label column (the component c).
        /// </summary>
        private static IDataView Rescale(MLContext mlContext, IDataView loaded, TrialTruth truth, int n, int m)
        {
            var features = DenseData.ReadVectors(loaded, BilinearModelDataView.FeaturesColumnName);
            var labels = DenseData.ReadKeys(loaded, BilinearModelDataView.LabelColumnName);
            for (int row = 0; row < features.Count; row++)
            {
                int c = labels[row];
                float extra = (float)(truth.RawNorms[c] - 1);
                float[] y = features[row];
                float[] atom = truth.UnitDictionary[c];
                for (int j = 0; j < n; j++)
                    y[j] += extra * atom[j];
            }
            return DenseData.ToDataView(mlContext, features, labels, n, m);
        }

        /// <summary>Everything random about one Monte Carlo trial except the rows: A, E and the seeds.</summary>
        internal static TrialTruth DrawTrial(ReproductionSettings settings, int trial)
        {
            int n = settings.FeatureCount, m = settings.Components;
            var random = new Random(Mix(settings.Seed, trial));
            // A_i ~ N(0, I/√n): entries of standard deviation n^(-1/4).
            double entryScale = Math.Pow(n, -0.25);
            var raw = new float[m][];
            var unit = new float[m][];
            var norms = new double[m];
            for (int i = 0; i < m; i++)
            {
                raw[i] = new float[n];
                for (int j = 0; j < n; j++)
                    raw[i][j] = (float)(entryScale * Normal(random));
                norms[i] = Math.Sqrt(raw[i].Sum(v => (double)v * v));
                unit[i] = raw[i].Select(v => (float)(v / norms[i])).ToArray();
            }
            var perturbation = new float[m][];
            for (int i = 0; i < m; i++)
            {
                perturbation[i] = new float[n];
                for (int j = 0; j < n; j++)
                    perturbation[i][j] = (float)Normal(random);
            }
            return new TrialTruth(raw, unit, norms, perturbation, random.Next(), random.Next());
        }

        /// <summary>What the estimator does to <see cref="WeightInitialization.Given"/> weights before the first step.</summary>
        internal static float[][] NormalizeColumns(float[][] columns) => columns.Select(column =>
        {
            double norm = Math.Sqrt(column.Sum(v => (double)v * v));
            return column.Select(v => (float)(v / norm)).ToArray();
        }).ToArray();

        internal static int Mix(int seed, int trial) => unchecked(seed * 1_000_003 + trial * 7919 + 17);

        private static double Normal(Random random)
        {
            // Box–Muller; 1 − U keeps the logarithm finite.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }

    /// <summary>The ground truth of one trial.</summary>
    /// <param name="RawDictionary">A with A_i ~ N(0, I/√n), as columns.</param>
    /// <param name="UnitDictionary">Ā: the columns of A normalized (the loader's dictionary, the recovery target).</param>
    /// <param name="RawNorms">‖A_i‖.</param>
    /// <param name="StandardPerturbation">E with standard normal entries, rescaled by the reading.</param>
    /// <param name="DataSeed">Seed of the rows (noise and components).</param>
    /// <param name="WeightSeed">Seed of the random and PCA initializations.</param>
    internal sealed record TrialTruth(float[][] RawDictionary, float[][] UnitDictionary, double[] RawNorms, float[][] StandardPerturbation, int DataSeed, int WeightSeed)
    {
        /// <summary>W⁰ = A + δE (A raw or unit-norm; E_ij with variance or standard deviation 1/√n), before normalization.</summary>
        public float[][] NearTruthInitialWeights(bool unitNormDictionary, bool varianceReading, double delta)
        {
            int n = UnitDictionary[0].Length;
            double entryScale = varianceReading ? Math.Pow(n, -0.25) : 1 / Math.Sqrt(n);
            var a = unitNormDictionary ? UnitDictionary : RawDictionary;
            return a.Select((column, i) => column.Select((v, j) => (float)(v + delta * entryScale * StandardPerturbation[i][j])).ToArray()).ToArray();
        }
    }
}
