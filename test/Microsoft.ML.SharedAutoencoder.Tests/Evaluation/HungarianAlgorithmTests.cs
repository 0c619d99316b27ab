using System;
using System.Linq;

namespace Microsoft.ML.SharedAutoencoder.Tests.Evaluation
{
    [TestClass]
    public sealed class HungarianAlgorithmTests
    {
        [TestMethod]
        public void MinimizeCostMatchesBruteForceForEverySizeUpToSeven()
        {
            for (int m = 1; m <= 7; m++)
            {
                for (int seed = 0; seed < 5; seed++)
                {
                    double[] cost = RandomMatrix(m, m, new Random(100 * m + seed), valueCount: 0);
                    var assignment = new int[m];
                    double total = HungarianAlgorithm.MinimizeCost(cost, m, m, assignment);
                    AssertValidAssignment(assignment, m);
                    Assert.AreEqual(Value(cost, m, assignment), total, 1e-12);
                    Assert.AreEqual(BruteForce(cost, m, m, maximize: false), total, 1e-12, $"m = {m}, seed = {seed}");
                }
            }
        }

        [TestMethod]
        public void MaximizeProfitMatchesBruteForceForEverySizeUpToSeven()
        {
            for (int m = 1; m <= 7; m++)
            {
                for (int seed = 0; seed < 5; seed++)
                {
                    double[] profit = RandomMatrix(m, m, new Random(7 + 100 * m + seed), valueCount: 0);
                    var assignment = new int[m];
                    double total = HungarianAlgorithm.MaximizeProfit(profit, m, m, assignment);
                    AssertValidAssignment(assignment, m);
                    Assert.AreEqual(Value(profit, m, assignment), total, 1e-12);
                    Assert.AreEqual(BruteForce(profit, m, m, maximize: true), total, 1e-12, $"m = {m}, seed = {seed}");
                }
            }
        }

        [TestMethod]
        public void MatrixWithManyTiesMatchesBruteForce()
        {
            // Entries from {0, 1, 2}: many optimal assignments and many zero-slack steps.
            for (int m = 2; m <= 7; m++)
            {
                for (int seed = 0; seed < 5; seed++)
                {
                    double[] cost = RandomMatrix(m, m, new Random(900 + 10 * m + seed), valueCount: 3);
                    var assignment = new int[m];
                    double total = HungarianAlgorithm.MinimizeCost(cost, m, m, assignment);
                    AssertValidAssignment(assignment, m);
                    Assert.AreEqual(Value(cost, m, assignment), total);
                    Assert.AreEqual(BruteForce(cost, m, m, maximize: false), total, $"m = {m}, seed = {seed}");
                }
            }
        }

        [TestMethod]
        public void RectangularMatchesBruteForceOverInjectiveAssignments()
        {
            foreach ((int rows, int columns) in new[] { (1, 4), (2, 5), (3, 4), (3, 7), (4, 6), (5, 7) })
            {
                for (int seed = 0; seed < 4; seed++)
                {
                    double[] profit = RandomMatrix(rows, columns, new Random(31 * rows + columns + seed), valueCount: 0);
                    var assignment = new int[rows];
                    double total = HungarianAlgorithm.MaximizeProfit(profit, rows, columns, assignment);
                    AssertValidAssignment(assignment, columns);
                    Assert.AreEqual(Value(profit, columns, assignment), total, 1e-12);
                    Assert.AreEqual(BruteForce(profit, rows, columns, maximize: true), total, 1e-12, $"{rows} × {columns}, seed = {seed}");
                }
            }
        }

        [TestMethod]
        public void AllEqualMatrixGivesAValidAssignment()
        {
            const int m = 6;
            double[] cost = Enumerable.Repeat(3.5, m * m).ToArray();
            var assignment = new int[m];
            Assert.AreEqual(m * 3.5, HungarianAlgorithm.MinimizeCost(cost, m, m, assignment));
            AssertValidAssignment(assignment, m);
        }

        [TestMethod]
        public void ZeroMatrixGivesAValidAssignment()
        {
            const int m = 5;
            var assignment = new int[m];
            Assert.AreEqual(0.0, HungarianAlgorithm.MaximizeProfit(new double[m * m], m, m, assignment));
            AssertValidAssignment(assignment, m);
        }

        [TestMethod]
        public void IdentityWithDuplicatedRowsGivesAnOptimalAssignment()
        {
            // Rows 0 and 1 both only profit from column 0, rows 2 and 3 both from column 2: only one row of each pair
            // can have its profit, so the optimum is 2 whichever rows win.
            double[] profit =
            {
                1, 0, 0, 0,
                1, 0, 0, 0,
                0, 0, 1, 0,
                0, 0, 1, 0,
            };
            var assignment = new int[4];
            Assert.AreEqual(2.0, HungarianAlgorithm.MaximizeProfit(profit, 4, 4, assignment));
            AssertValidAssignment(assignment, 4);
            Assert.AreEqual(2.0, Value(profit, 4, assignment));
        }

        [TestMethod]
        public void IdentityIsRecoveredUnderAPermutation()
        {
            int[] permutation = { 3, 0, 4, 1, 2 };
            var profit = new double[25];
            for (int i = 0; i < 5; i++)
                profit[i * 5 + permutation[i]] = 1;
            var assignment = new int[5];
            Assert.AreEqual(5.0, HungarianAlgorithm.MaximizeProfit(profit, 5, 5, assignment));
            CollectionAssert.AreEqual(permutation, assignment);
        }

        [TestMethod]
        public void NoRowsGivesZero()
        {
            Assert.AreEqual(0.0, HungarianAlgorithm.MinimizeCost(ReadOnlySpan<double>.Empty, 0, 3, Span<int>.Empty));
        }

        [TestMethod]
        public void InvalidArgumentsAreRejected()
        {
            var assignment = new int[2];
            Assert.AreEqual("cost", Assert.ThrowsExactly<ArgumentException>(
                () => HungarianAlgorithm.MinimizeCost(new double[3], 2, 2, assignment)).ParamName);
            Assert.AreEqual("columns", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => HungarianAlgorithm.MinimizeCost(new double[2], 2, 1, assignment)).ParamName);
            Assert.AreEqual("rows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(
                () => HungarianAlgorithm.MinimizeCost(new double[0], -1, 1, assignment)).ParamName);
            Assert.AreEqual("rowToColumn", Assert.ThrowsExactly<ArgumentException>(
                () => HungarianAlgorithm.MinimizeCost(new double[6], 2, 3, new int[3])).ParamName);
            Assert.AreEqual("profit", Assert.ThrowsExactly<ArgumentException>(
                () => HungarianAlgorithm.MaximizeProfit(new[] { 0, double.NaN, 0, 0 }, 2, 2, assignment)).ParamName);
            Assert.AreEqual("cost", Assert.ThrowsExactly<ArgumentException>(
                () => HungarianAlgorithm.MinimizeCost(new[] { 0, 0, double.PositiveInfinity, 0 }, 2, 2, assignment)).ParamName);
        }

        private static double[] RandomMatrix(int rows, int columns, Random random, int valueCount)
        {
            var matrix = new double[rows * columns];
            for (int k = 0; k < matrix.Length; k++)
                matrix[k] = valueCount == 0 ? random.NextDouble() * 2 - 1 : random.Next(valueCount);
            return matrix;
        }

        private static double Value(double[] matrix, int columns, int[] assignment)
        {
            double total = 0;
            for (int r = 0; r < assignment.Length; r++)
                total += matrix[r * columns + assignment[r]];
            return total;
        }

        private static void AssertValidAssignment(int[] assignment, int columns)
        {
            Assert.IsTrue(assignment.All(c => c >= 0 && c < columns), string.Join(",", assignment));
            Assert.AreEqual(assignment.Length, assignment.Distinct().Count(), string.Join(",", assignment));
        }

        /// <summary>Best total over every injective map of rows to columns, enumerated recursively.</summary>
        private static double BruteForce(double[] matrix, int rows, int columns, bool maximize)
        {
            double best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
            var used = new bool[columns];
            void Extend(int row, double total)
            {
                if (row == rows)
                {
                    best = maximize ? Math.Max(best, total) : Math.Min(best, total);
                    return;
                }
                for (int c = 0; c < columns; c++)
                {
                    if (used[c])
                        continue;
                    used[c] = true;
                    Extend(row + 1, total + matrix[row * columns + c]);
                    used[c] = false;
                }
            }
            Extend(0, 0);
            return best;
        }
    }
}
