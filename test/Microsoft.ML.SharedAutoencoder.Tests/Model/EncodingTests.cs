using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.SharedAutoencoder.Model;

namespace Microsoft.ML.SharedAutoencoder.Tests.Model
{
    /// <summary>The feature encodings against plain double-precision references, and their determinism and errors.</summary>
    [TestClass]
    public sealed class EncodingTests
    {
        // Sizes that are not multiples of the kernel's tiles: a partial 64-unit panel, a partial 4-row tile and 64-row block.
        private const int N = 37;
        private const int M = 70;

        private static readonly CodeEncodingSettings[] AllKinds =
        {
            CodeEncodingSettings.Activation(),
            CodeEncodingSettings.Activation(splitPolarity: true),
            CodeEncodingSettings.SoftThreshold(0.3f),
            CodeEncodingSettings.SoftThreshold(0.3f, splitPolarity: true),
            CodeEncodingSettings.TopK(5),
            CodeEncodingSettings.TopK(5, splitPolarity: true),
            CodeEncodingSettings.OrthogonalMatchingPursuit(6),
            CodeEncodingSettings.OrthogonalMatchingPursuit(6, splitPolarity: true),
        };

        private static float[] Gaussian(Random random, int count, double scale = 1)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
                values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            return values;
        }

        /// <summary>Unit-norm columns, unit-major.</summary>
        private static float[] UnitWeights(Random random, int n, int m)
        {
            float[] w = Gaussian(random, n * m);
            for (int i = 0; i < m; i++)
            {
                double norm = Math.Sqrt(w.Skip(i * n).Take(n).Sum(v => (double)v * v));
                for (int k = 0; k < n; k++)
                    w[i * n + k] = (float)(w[i * n + k] / norm);
            }
            return w;
        }

        private static double[] Projections(float[] w, int n, ReadOnlySpan<float> y)
        {
            int m = w.Length / n;
            var p = new double[m];
            for (int i = 0; i < m; i++)
            {
                for (int k = 0; k < n; k++)
                    p[i] += (double)w[i * n + k] * y[k];
            }
            return p;
        }

        private static double[] Concat(double[] a, double[] b) => a.Concat(b).ToArray();

        // The reference encodings, written plainly in double.
        private static double[] Reference(CodeEncodingSettings s, float[] w, float[] b, int n, ReadOnlySpan<float> y, AutoencoderActivation activation, float lambda)
        {
            int m = b.Length;
            double[] p = Projections(w, n, y);
            double[] z = Enumerable.Range(0, m).Select(i => p[i] + b[i]).ToArray();
            double[] mirrored = Enumerable.Range(0, m).Select(i => -p[i] + b[i]).ToArray();
            double[] values = s.SplitPolarity ? Concat(z, mirrored) : z;
            switch (s.Kind)
            {
                case CodeEncoding.Activation when activation == AutoencoderActivation.Relu:
                    return values.Select(v => Math.Max(0, v)).ToArray();
                case CodeEncoding.Activation:
                    return s.SplitPolarity ? values.Select(v => v > lambda ? v : 0).ToArray() : values.Select(v => Math.Abs(v) > lambda ? v : 0).ToArray();
                case CodeEncoding.SoftThreshold:
                    return values.Select(v => Math.Max(0, v - s.Threshold)).ToArray();
                case CodeEncoding.TopK:
                    var kept = Enumerable.Range(0, values.Length).Where(i => values[i] > 0).OrderByDescending(i => values[i]).ThenBy(i => i).Take(s.ActiveUnits).ToHashSet();
                    return Enumerable.Range(0, values.Length).Select(i => kept.Contains(i) ? values[i] : 0).ToArray();
                default:
                    double[] code = ReferenceOmp(w, n, y.ToArray(), s.ActiveUnits);
                    return s.SplitPolarity ? Concat(code.Select(v => Math.Max(0, v)).ToArray(), code.Select(v => Math.Max(0, -v)).ToArray()) : code;
            }
        }

        /// <summary>Textbook OMP: explicit residual, least squares on the support by normal equations, all in double.</summary>
        private static double[] ReferenceOmp(float[] w, int n, float[] y, int k)
        {
            int m = w.Length / n;
            var residual = y.Select(v => (double)v).ToArray();
            var support = new List<int>();
            double[] coefficients = Array.Empty<double>();
            for (int step = 0; step < k; step++)
            {
                int best = Enumerable.Range(0, m).Where(i => !support.Contains(i))
                    .OrderByDescending(i => Math.Abs(Enumerable.Range(0, n).Sum(j => w[i * n + j] * residual[j]))).ThenBy(i => i).First();
                support.Add(best);
                var gram = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(support.Count, support.Count,
                    (a, c) => Enumerable.Range(0, n).Sum(j => (double)w[support[a] * n + j] * w[support[c] * n + j]));
                var rhs = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(support.Count, a => Enumerable.Range(0, n).Sum(j => (double)w[support[a] * n + j] * y[j]));
                coefficients = gram.Solve(rhs).ToArray();
                for (int j = 0; j < n; j++)
                    residual[j] = y[j] - Enumerable.Range(0, support.Count).Sum(a => coefficients[a] * w[support[a] * n + j]);
            }
            var code = new double[m];
            for (int a = 0; a < support.Count; a++)
                code[support[a]] = coefficients[a];
            return code;
        }

        private static (float[] W, float[] B, float[] Rows) Problem(int seed, int n, int m, int rows)
        {
            var random = new Random(seed);
            return (UnitWeights(random, n, m), Gaussian(random, m, 0.3), Gaussian(random, rows * n));
        }

        [TestMethod]
        public void EachEncodingMatchesItsPlainReference()
        {
            (float[] w, float[] b, float[] rows) = Problem(1, N, M, 20);
            foreach (AutoencoderActivation activation in new[] { AutoencoderActivation.Relu, AutoencoderActivation.HardThreshold })
            {
                const float lambda = 0.8f;
                foreach (CodeEncodingSettings settings in AllKinds)
                {
                    var encoder = new CodeEncoder(w, b, N, activation, lambda, settings);
                    var code = new float[encoder.CodeLength];
                    for (int t = 0; t < 20; t++)
                    {
                        ReadOnlySpan<float> y = rows.AsSpan(t * N, N);
                        encoder.Encode(y, code);
                        double[] expected = Reference(settings, w, b, N, y, activation, lambda);
                        Assert.HasCount(expected.Length, code, settings.ToString());
                        double scale = Math.Sqrt(y.ToArray().Sum(v => (double)v * v));
                        for (int i = 0; i < code.Length; i++)
                        {
                            // A hard threshold flips with rounding when |z| is within rounding of λ; no such value is compared.
                            if (activation == AutoencoderActivation.HardThreshold && settings.Kind == CodeEncoding.Activation
                                && (Math.Abs(Math.Abs(expected[i]) - lambda) < 1e-4 || Math.Abs(Math.Abs(code[i]) - lambda) < 1e-4))
                                continue;
                            Assert.AreEqual(expected[i], code[i], 1e-4 * scale, $"{settings} {activation}: row {t}, feature {i}");
                        }
                    }
                }
            }
        }

        [TestMethod]
        public void SplitDoublesTheLengthAndIsTheCodeOfTheMirroredAtoms()
        {
            (float[] w, float[] b, float[] rows) = Problem(2, N, M, 5);
            var plain = new CodeEncoder(w, b, N, AutoencoderActivation.Relu, 0, CodeEncodingSettings.SoftThreshold(0.2f));
            var split = new CodeEncoder(w, b, N, AutoencoderActivation.Relu, 0, CodeEncodingSettings.SoftThreshold(0.2f, splitPolarity: true));
            Assert.AreEqual(M, plain.CodeLength);
            Assert.AreEqual(2 * M, split.CodeLength);
            // The second half is the first half's code of −y, since the bias is shared by both polarities.
            var code = new float[2 * M];
            var mirrored = new float[M];
            split.Encode(rows.AsSpan(0, N), code);
            plain.Encode(rows.AsSpan(0, N).ToArray().Select(v => -v).ToArray(), mirrored);
            CollectionAssert.AreEqual(mirrored, code.AsSpan(M, M).ToArray());
        }

        [TestMethod]
        public void TopKKeepsExactlyKNonzerosAndBreaksTiesByIndex()
        {
            (float[] w, float[] b, float[] rows) = Problem(3, N, M, 30);
            foreach (bool splitPolarity in new[] { false, true })
            {
                foreach (int k in new[] { 1, 7, 30 })
                {
                    var encoder = new CodeEncoder(w, b, N, AutoencoderActivation.Relu, 0, CodeEncodingSettings.TopK(k, splitPolarity));
                    var code = new float[encoder.CodeLength];
                    for (int t = 0; t < 30; t++)
                    {
                        encoder.Encode(rows.AsSpan(t * N, N), code);
                        Assert.AreEqual(k, code.Count(v => v != 0), $"k = {k}, split = {splitPolarity}, row {t}");
                        Assert.IsTrue(code.All(v => v >= 0));
                    }
                }
            }

            float[] values = { 1, 3, 3, -1, 3, 2, 0, 3 };
            var output = new float[values.Length];
            TopKSelection.KeepLargest(values, 2, output, new float[values.Length]);
            CollectionAssert.AreEqual(new float[] { 0, 3, 3, 0, 0, 0, 0, 0 }, output);
            TopKSelection.KeepLargest(values, 5, output, new float[values.Length]);
            CollectionAssert.AreEqual(new float[] { 0, 3, 3, 0, 3, 2, 0, 3 }, output);
            // Fewer positives than k: all positive values, nothing else.
            TopKSelection.KeepLargest(values, 7, output, new float[values.Length]);
            CollectionAssert.AreEqual(new float[] { 1, 3, 3, 0, 3, 2, 0, 3 }, output);
        }

        [TestMethod]
        public void OmpResidualIsOrthogonalToTheChosenAtoms()
        {
            const int n = 64;
            const int m = 150;
            (float[] w, float[] _, float[] rows) = Problem(4, n, m, 20);
            var pursuit = new OrthogonalMatchingPursuit(w, n, m);
            var workspace = pursuit.CreateWorkspace(12);
            var residual = new float[n];
            for (int t = 0; t < 20; t++)
            {
                ReadOnlySpan<float> y = rows.AsSpan(t * n, n);
                double squared = pursuit.Residual(y, 12, residual, workspace);
                Assert.AreEqual(12, workspace.Support.Length);
                Assert.AreEqual(12, workspace.Support.Distinct().Count());
                // The residual recomputed in double from the returned code.
                var r = new double[n];
                for (int j = 0; j < n; j++)
                {
                    r[j] = y[j];
                    for (int a = 0; a < 12; a++)
                        r[j] -= workspace.Coefficients[a] * w[workspace.Support[a] * n + j];
                    Assert.AreEqual(r[j], residual[j], 1e-5);
                }
                Assert.AreEqual(r.Sum(v => v * v), squared, 1e-4 * squared);
                double yNorm = Math.Sqrt(y.ToArray().Sum(v => (double)v * v));
                foreach (int atom in workspace.Support)
                {
                    double correlation = Enumerable.Range(0, n).Sum(j => w[atom * n + j] * r[j]);
                    Assert.IsLessThan(1e-4 * yNorm, Math.Abs(correlation), $"row {t}, atom {atom}");
                }
            }
        }

        [TestMethod]
        public void OmpRecoversTheSupportOfASparseCombinationOfIncoherentAtoms()
        {
            const int n = 200;
            const int m = 100;
            const int k = 5;
            var random = new Random(5);
            float[] w = UnitWeights(random, n, m);
            var encoder = new CodeEncoder(w, new float[m], n, AutoencoderActivation.Relu, 0, CodeEncodingSettings.OrthogonalMatchingPursuit(k));
            var code = new float[m];
            for (int trial = 0; trial < 20; trial++)
            {
                int[] support = Enumerable.Range(0, m).OrderBy(_ => random.Next()).Take(k).OrderBy(i => i).ToArray();
                double[] truth = support.Select(_ => (random.Next(2) * 2 - 1) * (1 + random.NextDouble())).ToArray();
                var y = new float[n];
                for (int j = 0; j < n; j++)
                    y[j] = (float)Enumerable.Range(0, k).Sum(a => truth[a] * w[support[a] * n + j]);
                encoder.Encode(y, code);
                CollectionAssert.AreEqual(support, Enumerable.Range(0, m).Where(i => code[i] != 0).ToArray(), $"trial {trial}");
                for (int a = 0; a < k; a++)
                    Assert.AreEqual(truth[a], code[support[a]], 1e-4);
            }
        }

        [TestMethod]
        public void OmpStopsWhenTheRowIsExplained()
        {
            (float[] w, float[] _, float[] _) = Problem(6, 100, 50, 1);
            var y = new float[100];
            for (int j = 0; j < 100; j++)
                y[j] = 2 * w[3 * 100 + j] - w[40 * 100 + j];
            var encoder = new CodeEncoder(w, new float[50], 100, AutoencoderActivation.Relu, 0, CodeEncodingSettings.OrthogonalMatchingPursuit(10));
            var code = new float[50];
            encoder.Encode(y, code);
            CollectionAssert.AreEqual(new[] { 3, 40 }, Enumerable.Range(0, 50).Where(i => code[i] != 0).ToArray());
            encoder.Encode(new float[100], code);
            Assert.IsTrue(code.All(v => v == 0));
        }

        [TestMethod]
        public void ProjectionsAreOneFmaChainPerEntry()
        {
            // Every p_ti is acc ← fma(W_ik, y_tk, acc) over k from 0: the same bits on any vector width, tile or row count.
            (float[] w, float[] _, float[] rows) = Problem(7, N, 130, 9);
            var kernel = new ProjectionKernel(w, N, 130);
            var p = new float[9 * 130];
            kernel.Compute(rows, 9, p);
            for (int t = 0; t < 9; t++)
            {
                for (int i = 0; i < 130; i++)
                {
                    float acc = 0;
                    for (int k = 0; k < N; k++)
                        acc = MathF.FusedMultiplyAdd(w[i * N + k], rows[t * N + k], acc);
                    Assert.AreEqual(acc, p[t * 130 + i], $"row {t}, unit {i}");
                }
            }
        }

        [TestMethod]
        public void BatchEqualsRowByRowAndAnyThreadCount()
        {
            const int rowCount = 301;
            (float[] w, float[] b, float[] rows) = Problem(8, N, M, rowCount);
            rows[5 * N + 3] = float.NaN;
            rows[200 * N] = float.PositiveInfinity;
            foreach (CodeEncodingSettings settings in AllKinds)
            {
                var encoder = new CodeEncoder(w, b, N, AutoencoderActivation.HardThreshold, 0.5f, settings, maxThreads: 2);
                int width = encoder.CodeLength;
                var one = new float[rowCount * width];
                var two = new float[rowCount * width];
                encoder.EncodeBatch(rows, rowCount, one, maxThreads: 1);
                encoder.EncodeBatch(rows, rowCount, two, maxThreads: 2);
                CollectionAssert.AreEqual(one, two, settings.ToString());
                var code = new float[width];
                var workspace = encoder.CreateWorkspace();
                for (int t = 0; t < rowCount; t++)
                {
                    encoder.Encode(rows.AsSpan(t * N, N), code, workspace);
                    CollectionAssert.AreEqual(one.AsSpan(t * width, width).ToArray(), code, $"{settings}: row {t}");
                }
                Assert.IsTrue(one.AsSpan(5 * width, width).ToArray().All(float.IsNaN));
                Assert.IsTrue(one.AsSpan(200 * width, width).ToArray().All(float.IsNaN));
                Assert.IsFalse(one.AsSpan(6 * width, width).ToArray().Any(float.IsNaN));
            }
        }

        [TestMethod]
        public void BadSettingsSayHowToFixThem()
        {
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CodeEncodingSettings.SoftThreshold(-0.1f)).Message, "at least 0");
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CodeEncodingSettings.SoftThreshold(float.NaN)).Message, "finite");
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CodeEncodingSettings.TopK(0)).Message, "choose k between 1");
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CodeEncodingSettings.OrthogonalMatchingPursuit(-2)).Message, "at least 1");
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new CodeEncodingSettings(CodeEncoding.TopK, threshold: 0.5f, activeUnits: 3)).Message, "leave it 0");
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new CodeEncodingSettings(CodeEncoding.SoftThreshold, activeUnits: 3)).Message, "leave it 0");
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CodeEncodingSettings((CodeEncoding)42));

            (float[] w, float[] b, float[] _) = Problem(9, 8, 12, 1);
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => new CodeEncoder(w, b, 8, AutoencoderActivation.Relu, 0, CodeEncodingSettings.TopK(13))).Message, "choose k ≤ 12");
            // Split doubles what top-k can choose from.
            _ = new CodeEncoder(w, b, 8, AutoencoderActivation.Relu, 0, CodeEncodingSettings.TopK(24, splitPolarity: true));
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => new CodeEncoder(w, b, 8, AutoencoderActivation.Relu, 0, CodeEncodingSettings.OrthogonalMatchingPursuit(9))).Message, "choose k ≤ 8");
            Assert.ThrowsExactly<ArgumentException>(() => new CodeEncoder(w, b, 9, AutoencoderActivation.Relu, 0, CodeEncodingSettings.Activation()));
            w[3] = float.NaN;
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new CodeEncoder(w, b, 8, AutoencoderActivation.Relu, 0, CodeEncodingSettings.Activation())).Message, "finite");
        }

        [TestMethod]
        public void SettingsAreValuesAndReportTheirCodeLength()
        {
            Assert.AreEqual(CodeEncodingSettings.TopK(3, true), new CodeEncodingSettings(CodeEncoding.TopK, true, 0, 3));
            Assert.AreNotEqual(CodeEncodingSettings.TopK(3), CodeEncodingSettings.TopK(4));
            Assert.AreEqual(20, CodeEncodingSettings.Activation(splitPolarity: true).CodeLength(10));
            Assert.AreEqual(10, CodeEncodingSettings.SoftThreshold(0).CodeLength(10));
        }
    }
}
