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
            DenseRows data, TrainerSettings settings, ITrainingMonitor monitor, CancellationToken cancellation = default)
        {
            if (data.RowCount == 0)
                throw new InvalidOperationException("Training data are empty.");
            int n = data.Dimension;
            int m = settings.HiddenUnits;
            var activation = new EncoderActivation(settings.Activation, settings.Threshold);
            var random = new Random(settings.Seed);

            monitor.CheckAlive();
            float[] weights = WeightInitializer.Create(settings, data, random, out InitializationReport initialization);
            monitor.Info(initialization.ToString());
            var bias = new float[m];
            Array.Fill(bias, settings.InitialBias);

            var pass = new GradientPass(data, m, settings.MaxThreads);
            var current = new PassResult(n, m);
            var candidate = new PassResult(n, m);
            pass.Run(weights, bias, activation, current, cancellation);
            if (!double.IsFinite(current.Loss))
            {
                throw new InvalidOperationException(
                    "The reconstruction loss of the initial weights is not finite in float32: the feature values are too large. Scale the features (for example with NormalizeMinMax) before training.");
            }

            var history = new List<TrainingIteration> { Record(0, current, 0f, undone: false, weights, settings) };
            monitor.Info(Describe(0, settings.Iterations, current, 0f));
            ReseedDeadUnits(data, settings, weights, bias, activation, pass, current, monitor, cancellation);

            float learningRate = settings.LearningRate;
            var candidateWeights = new float[weights.Length];
            var candidateBias = new float[m];
            var stopReason = TrainingStopReason.IterationLimit;
            int halvings = 0;
            int iteration = 1;
            while (iteration <= settings.Iterations)
            {
                monitor.CheckAlive();
                cancellation.ThrowIfCancellationRequested();

                Step(weights, current.Gradient, learningRate, n, candidateWeights);
                for (int i = 0; i < m; i++)
                    candidateBias[i] = bias[i] / settings.BiasDecay;
                pass.Run(candidateWeights, candidateBias, activation, candidate, cancellation);

                if (!double.IsFinite(candidate.Loss) || candidate.Loss > settings.DivergenceFactor * current.Loss)
                {
                    history.Add(Record(iteration, candidate, learningRate, undone: true, candidateWeights, settings));
                    if (++halvings > settings.MaxLearningRateHalvings)
                    {
                        throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                            "Training diverged: the loss stayed non-finite or grew more than {0}× even after halving the learning rate {1} times. The last good iteration was {2} (loss {3:G6}).",
                            settings.DivergenceFactor, settings.MaxLearningRateHalvings, iteration - 1, current.Loss));
                    }
                    monitor.Warning(string.Format(CultureInfo.InvariantCulture,
                        "Iteration {0}: the step with learning rate {1:G4} raised the loss from {2:G6} to {3:G6}; undone, learning rate halved to {4:G4}.",
                        iteration, learningRate, current.Loss, candidate.Loss, learningRate / 2));
                    learningRate /= 2;
                    continue;
                }

                halvings = 0;
                double previousLoss = current.Loss;
                (weights, candidateWeights) = (candidateWeights, weights);
                (bias, candidateBias) = (candidateBias, bias);
                (current, candidate) = (candidate, current);
                history.Add(Record(iteration, current, learningRate, undone: false, weights, settings));
                monitor.Info(Describe(iteration, settings.Iterations, current, learningRate));
                ReseedDeadUnits(data, settings, weights, bias, activation, pass, current, monitor, cancellation);

                if (settings.Tolerance > 0 && Math.Abs(previousLoss - current.Loss) <= settings.Tolerance * Math.Max(previousLoss, double.Epsilon))
                {
                    stopReason = TrainingStopReason.Converged;
                    break;
                }
                iteration++;
            }

            int refitStep = history.FindLast(e => !e.Undone)!.Iteration;
            for (int round = 1; round <= settings.RefitIterations; round++)
            {
                monitor.CheckAlive();
                DictionaryRefit.Run(data, weights, bias, activation, settings.MaxThreads);
                pass.Run(weights, bias, activation, current, cancellation);
                history.Add(Record(++refitStep, current, 0f, undone: false, weights, settings));
                monitor.Info(string.Format(CultureInfo.InvariantCulture, "Least-squares refit {0}/{1}: loss {2:G6}", round, settings.RefitIterations, current.Loss));
            }

            var model = new SharedAutoencoderModelParameters(n, weights, bias, settings.Activation, settings.Threshold);
            return (model, new TrainingHistory(history, stopReason, initialization));
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

        private static string Describe(int iteration, int total, PassResult pass, float learningRate)
        {
            long active = 0;
            foreach (long count in pass.ActiveCounts)
                active += count;
            double fraction = (double)active / ((double)pass.RowCount * pass.ActiveCounts.Length);
            return string.Format(CultureInfo.InvariantCulture, "Iteration {0}/{1}: loss {2:G6}, learning rate {3:G4}, active fraction {4:P1}",
                iteration, total, pass.Loss, learningRate, fraction);
        }
    }
}
