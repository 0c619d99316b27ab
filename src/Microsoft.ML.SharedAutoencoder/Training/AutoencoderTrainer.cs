using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace Microsoft.ML.SharedAutoencoder.Training
{
    /// <summary>
    /// Normalized full-batch gradient descent on a tied-weight autoencoder (the paper's Algorithm):
    /// W ← normalize_columns(W − ζ g), b ← b / C, with a divergence guard that undoes a step and halves ζ.
    /// </summary>
    internal static class AutoencoderTrainer
    {
        public static (SharedAutoencoderModelParameters Model, TrainingHistory History) Train(
            ITrainingRows data, TrainerSettings settings, ITrainingMonitor monitor, CancellationToken cancellation = default)
        {
            if (data.RowCount == 0)
                throw new InvalidOperationException("Training data are empty.");
            int n = data.Dimension;
            int m = settings.HiddenUnits;
            var activation = new EncoderActivation(settings.Activation, settings.Threshold);
            var random = new Random(settings.Seed);

            monitor.CheckAlive();
            // Random and Given initializations look at no rows: a streamed source is then not read for them. The data-driven
            // initializations, dead-unit re-seeding and the refit work on the rows held in memory (all of them, or for a
            // streamed source its first InitializationRows rows).
            bool needsRows = settings.Initialization is not (WeightInitialization.Random or WeightInitialization.Given)
                || settings.ReseedDeadUnits || settings.RefitIterations > 0;
            DenseRows inMemory = data.Head(needsRows ? settings.InitializationRows : 0);
            float[] weights = WeightInitializer.Create(settings, inMemory, random, out InitializationReport initialization);
            monitor.Info(initialization.ToString());
            var bias = new float[m];
            Array.Fill(bias, settings.InitialBias);

            using var pass = new GradientPass(data, m, settings.MaxThreads);
            bool miniBatch = settings.BatchSize > 0 && settings.BatchSize < data.RowCount;
            var current = new PassResult(n, m);
            var candidate = new PassResult(n, m);
            pass.Run(weights, bias, activation, current, cancellation);
            if (!double.IsFinite(current.Loss) || !SharedAutoencoderModelParameters.AllFinite(current.Gradient))
            {
                // Data are finite (checked when read), so only float32 overflow of ‖y‖² or of the gradient sum gets here.
                float largest = LargestMagnitude(data);
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                    "The {0} of the initial weights overflows float32: the feature values are too large (largest magnitude {1:G4}). scale the features (for example with NormalizeMinMax) before training.",
                    double.IsFinite(current.Loss) ? "gradient" : "reconstruction loss", largest));
            }

            var history = new List<TrainingIteration> { Record(0, current, 0f, undone: false, weights, settings) };
            monitor.Info(Describe(history[^1], settings.MaximumNumberOfIterations));
            ReseedDeadUnits(inMemory, settings, weights, bias, activation, pass, current, monitor, cancellation);

            float learningRate = settings.LearningRate;
            var candidateWeights = new float[weights.Length];
            var candidateBias = new float[m];
            var stopReason = TrainingStopReason.IterationLimit;
            int halvings = 0;
            int iteration = 1;
            while (iteration <= settings.MaximumNumberOfIterations)
            {
                monitor.CheckAlive();
                cancellation.ThrowIfCancellationRequested();
                // A perfect fit cannot improve, and any rounding above 0 would look like divergence to the guard.
                if (current.Loss == 0)
                {
                    stopReason = TrainingStopReason.Converged;
                    break;
                }

                if (miniBatch)
                {
                    RunEpoch(pass, data.RowCount, settings, weights, bias, learningRate, activation, candidateWeights, candidateBias, candidate, cancellation);
                }
                else
                {
                    Step(weights, current.Gradient, learningRate, n, candidateWeights);
                    for (int i = 0; i < m; i++)
                        candidateBias[i] = bias[i] / settings.BiasDecay;
                    pass.Run(candidateWeights, candidateBias, activation, candidate, cancellation);
                }

                bool finite = double.IsFinite(candidate.Loss) && SharedAutoencoderModelParameters.AllFinite(candidate.Gradient);
                float acceptedRate = learningRate;
                if (!finite || (candidate.Loss > settings.DivergenceFactor * current.Loss && !AtRoundingLevel(candidate.Loss, candidate.ZeroCodeLoss)))
                {
                    if (finite && halvings == settings.MaxLearningRateHalvings && LargestChange(weights, candidateWeights) <= NegligibleWeightChange)
                    {
                        // ζ is now 2^-H of its value and the step does not move W: the rise comes from the bias schedule
                        // b ← b/C (or from rounding at a near-zero loss), which no step size can undo. Accept the step and
                        // go back to the learning rate of before the halvings.
                        learningRate *= MathF.Pow(2, halvings);
                        monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                            "Iteration {0}: the loss rose from {1:G6} to {2:G6} even with a negligible step; the rise comes from the bias schedule, so the step is kept.",
                            iteration, current.Loss, candidate.Loss));
                    }
                    else
                    {
                        history.Add(Record(iteration, candidate, learningRate, undone: true, candidateWeights, settings));
                        if (++halvings > settings.MaxLearningRateHalvings)
                        {
                            throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                                "Training diverged: the loss stayed non-finite or grew more than {0}× even after halving the learning rate {1} times. The last good iteration was {2} (loss {3:G6}). "
                                + "The step size assumes features of order 1 and the largest feature magnitude is {4:G4}: scale the features (for example with NormalizeMinMax) or lower LearningRate.",
                                settings.DivergenceFactor, settings.MaxLearningRateHalvings, iteration - 1, current.Loss,
                                LargestMagnitude(data)));
                        }
                        monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                            "Iteration {0}: the step with learning rate {1:G4} raised the loss from {2:G6} to {3:G6}; undone, learning rate halved to {4:G4}.",
                            iteration, learningRate, current.Loss, candidate.Loss, learningRate / 2));
                        learningRate /= 2;
                        continue;
                    }
                }

                halvings = 0;
                double previousLoss = current.Loss;
                (weights, candidateWeights) = (candidateWeights, weights);
                (bias, candidateBias) = (candidateBias, bias);
                (current, candidate) = (candidate, current);
                history.Add(Record(iteration, current, acceptedRate, undone: false, weights, settings));
                monitor.Info(Describe(history[^1], settings.MaximumNumberOfIterations));
                ReseedDeadUnits(inMemory, settings, weights, bias, activation, pass, current, monitor, cancellation);

                if (settings.Tolerance > 0 && Math.Abs(previousLoss - current.Loss) <= settings.Tolerance * Math.Max(previousLoss, double.Epsilon))
                {
                    stopReason = TrainingStopReason.Converged;
                    break;
                }
                iteration++;
            }

            WarnIfLossCrept(history, current.ZeroCodeLoss, settings, monitor);
            int refitStep = history.FindLast(e => !e.Undone)!.Iteration;
            for (int round = 1; round <= settings.RefitIterations; round++)
            {
                monitor.CheckAlive();
                DictionaryRefit.Run(inMemory, weights, bias, activation, settings.MaxThreads);
                pass.Run(weights, bias, activation, current, cancellation);
                history.Add(Record(++refitStep, current, 0f, undone: false, weights, settings));
                monitor.Info(string.Format(CultureInfo.InvariantCulture, "Least-squares refit {0}/{1}: loss {2:G6}", round, settings.RefitIterations, current.Loss));
            }

            var model = new SharedAutoencoderModelParameters(n, weights, bias, settings.Activation, settings.Threshold);
            return (model, new TrainingHistory(history, stopReason, initialization));
        }

        /// <summary>
        /// The guard undoes single steps that multiply the loss by more than the divergence factor; a run can still creep
        /// upwards over many accepted steps (seen: the paper's update from a start with a spurious column on sparse codes,
        /// 0.42 → 812 in 50 steps; features of norm ≈ 5 at ζ = m, 3.6 → 42). The paper's dynamics are kept, but the user
        /// is told that the model is worse than one the run passed through.
        /// </summary>
        private static void WarnIfLossCrept(List<TrainingIteration> history, double zeroCodeLoss, TrainerSettings settings, ITrainingMonitor monitor)
        {
            TrainingIteration? lowest = null;
            TrainingIteration? last = null;
            foreach (TrainingIteration entry in history)
            {
                if (entry.Undone)
                    continue;
                if (lowest == null || entry.Loss < lowest.Loss)
                    lowest = entry;
                last = entry;
            }
            if (lowest == null || last == null || last.Loss <= settings.DivergenceFactor * lowest.Loss || AtRoundingLevel(last.Loss, zeroCodeLoss))
                return;
            monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                "The loss ended at {0:G6}, {1:F1}× its lowest value {2:G6} (iteration {3}): no single step was large enough for the divergence guard, but together they moved away from the better fit. "
                + "LearningRate is probably too large for these data (the step assumes features of order 1); History has every iteration's loss.",
                last.Loss, last.Loss / lowest.Loss, lowest.Loss, lowest.Iteration));
        }

        /// <summary>The dead-unit hook (off by default): re-seed units that fired on no row, then recompute the pass.</summary>
        private static void ReseedDeadUnits(DenseRows data, TrainerSettings settings, float[] weights, float[] bias, EncoderActivation activation,
            GradientPass pass, PassResult current, ITrainingMonitor monitor, CancellationToken cancellation)
        {
            if (!settings.ReseedDeadUnits || Array.IndexOf(current.ActiveCounts, 0L) < 0)
                return;
            int reseeded = DeadUnitReseeder.Run(data, weights, bias, activation, current.ActiveCounts, settings.MaxThreads);
            if (reseeded == 0)
                return;
            pass.Run(weights, bias, activation, current, cancellation);
            monitor.Info(string.Format(CultureInfo.InvariantCulture, "Re-seeded {0} dead unit(s) from the worst-reconstructed rows; loss now {1:G6}.", reseeded, current.Loss));
        }

        /// <summary>The largest |y_j| over all rows: reported when training fails because the features are too large. Reads the rows once.</summary>
        private static float LargestMagnitude(ITrainingRows data)
        {
            const int rowsPerRead = 1024;
            var buffer = new float[rowsPerRead * data.Dimension];
            float largest = 0;
            using ITrainingRowReader reader = data.OpenReader();
            int read;
            while ((read = reader.Read(buffer, rowsPerRead)) > 0)
                largest = Math.Max(largest, Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(buffer.AsSpan(0, read * data.Dimension))));
            return largest;
        }

        // A step that moves no weight by more than this leaves W as it was, to float32 precision of unit-norm columns.
        private const float NegligibleWeightChange = 1e-6f;

        /// <summary>
        /// A loss below this fraction of the all-zero code's loss (½ mean ‖y‖²) is float32 rounding (≈ n·ε² relative to
        /// ‖y‖² for a perfect fit): comparing two such losses says nothing, so the divergence guard does not.
        /// </summary>
        private const double RoundingLevelLossFraction = 1e-10;

        private static bool AtRoundingLevel(double loss, double zeroCodeLoss) => loss <= RoundingLevelLossFraction * zeroCodeLoss;

        private static float LargestChange(ReadOnlySpan<float> before, ReadOnlySpan<float> after)
        {
            float largest = 0;
            for (int j = 0; j < before.Length; j++)
                largest = Math.Max(largest, Math.Abs(after[j] - before[j]));
            return largest;
        }

        /// <summary>
        /// One iteration in mini-batch mode: an epoch of ⌈N/B⌉ normalized steps, each on the gradient of the next B
        /// rows at the current W. The bias is divided by C once per epoch (not per step, or it would vanish after a few
        /// batches). <paramref name="epoch"/> receives the mean over the epoch of the batch losses, each measured just
        /// before its step, and the total unit activity; the divergence guard compares these between epochs.
        /// </summary>
        private static void RunEpoch(
            GradientPass pass, long rowCount, TrainerSettings settings, float[] weights, float[] bias, float learningRate, EncoderActivation activation,
            float[] epochWeights, float[] epochBias, PassResult epoch, CancellationToken cancellation)
        {
            int m = bias.Length;
            int n = weights.Length / m;
            weights.CopyTo(epochWeights, 0);
            for (int i = 0; i < m; i++)
                epochBias[i] = bias[i] / settings.BiasDecay;
            var batch = new PassResult(n, m);
            var stepped = new float[weights.Length];
            Array.Clear(epoch.ActiveCounts);
            double lossSum = 0;
            double zeroCodeLossSum = 0;
            long seen = 0;
            while (seen < rowCount)
            {
                cancellation.ThrowIfCancellationRequested();
                pass.RunNextBatch(settings.BatchSize, epochWeights, epochBias, activation, batch, cancellation);
                lossSum += batch.Loss * batch.RowCount;
                zeroCodeLossSum += batch.ZeroCodeLoss * batch.RowCount;
                seen += batch.RowCount;
                for (int i = 0; i < m; i++)
                    epoch.ActiveCounts[i] += batch.ActiveCounts[i];
                if (!double.IsFinite(batch.Loss))
                    break;
                Step(epochWeights, batch.Gradient, learningRate, n, stepped);
                stepped.CopyTo(epochWeights, 0);
            }
            epoch.Loss = seen == 0 ? 0 : lossSum / seen;
            epoch.ZeroCodeLoss = seen == 0 ? 0 : zeroCodeLossSum / seen;
            epoch.RowCount = seen;
            batch.Gradient.CopyTo(epoch.Gradient, 0);
        }

        /// <summary>
        /// W' = normalize_columns(W − ζ g). A column whose update has zero (or non-finite) norm keeps its previous value,
        /// so the step never divides by zero.
        /// </summary>
        public static void Step(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, float learningRate, int inputSize, Span<float> result)
        {
            int m = weights.Length / inputSize;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -learningRate, weights, result);
            for (int i = 0; i < m; i++)
            {
                Span<float> column = result.Slice(i * inputSize, inputSize);
                if (!WeightInitializer.NormalizeInPlace(column))
                    weights.Slice(i * inputSize, inputSize).CopyTo(column);
            }
        }

        private static TrainingIteration Record(int iteration, PassResult pass, float learningRate, bool undone, float[] weights, TrainerSettings settings)
        {
            long active = 0;
            int dead = 0;
            foreach (long count in pass.ActiveCounts)
            {
                active += count;
                if (count == 0)
                    dead++;
            }
            double activeFraction = pass.RowCount == 0 ? 0 : (double)active / ((double)pass.RowCount * pass.ActiveCounts.Length);
            double? frobenius = null, maxColumn = null;
            if (settings.RecoveryProbe != null && !undone)
                (frobenius, maxColumn) = settings.RecoveryProbe(weights);
            return new TrainingIteration(iteration, pass.Loss, learningRate, activeFraction, dead, undone, frobenius, maxColumn);
        }

        private static string Describe(TrainingIteration entry, int total) => string.Format(CultureInfo.InvariantCulture,
            "Iteration {0}/{1}: loss {2:G6}, learning rate {3:G4}, active fraction {4:P1}",
            entry.Iteration, total, entry.Loss, entry.LearningRate, entry.ActiveFraction);
    }
}
