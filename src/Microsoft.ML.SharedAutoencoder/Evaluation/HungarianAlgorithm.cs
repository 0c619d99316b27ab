using System;
using System.Buffers;

namespace Microsoft.ML.SharedAutoencoder
{
    /// <summary>
    /// Exact linear assignment on a dense rows × columns matrix (rows ≤ columns): every row gets a distinct column
    /// so that the total cost is minimal (or the total profit maximal). Shortest augmenting paths with dual
    /// potentials (Kuhn–Munkres in the Jonker–Volgenant form), O(rows² · columns) time, O(columns) extra memory.
    /// </summary>
    /// <remarks>
    /// Matrices are flat and row-major: entry (r, c) is at <c>r * columns + c</c>. Ties and degenerate matrices
    /// (all entries equal, all zero) are fine: the result is always a valid injective assignment of optimal value;
    /// which of several optimal assignments is returned is deterministic but otherwise unspecified.
    /// </remarks>
    internal static class HungarianAlgorithm
    {
        /// <summary>Assigns each row a distinct column minimizing the sum of the chosen entries; returns that sum.</summary>
        public static double MinimizeCost(ReadOnlySpan<double> cost, int rows, int columns, Span<int> rowToColumn)
            => Solve(cost, rows, columns, rowToColumn, objectiveSign: 1.0, nameof(cost));

        /// <summary>Assigns each row a distinct column maximizing the sum of the chosen entries; returns that sum.</summary>
        public static double MaximizeProfit(ReadOnlySpan<double> profit, int rows, int columns, Span<int> rowToColumn)
            => Solve(profit, rows, columns, rowToColumn, objectiveSign: -1.0, nameof(profit));

        private static double Solve(ReadOnlySpan<double> matrix, int rows, int columns, Span<int> rowToColumn,
            double objectiveSign, string matrixName)
        {
            Validate(matrix, rows, columns, rowToColumn, matrixName);
            if (rows == 0)
                return 0;
            var work = new Workspace(rows, columns);
            try
            {
                for (int row = 0; row < rows; row++)
                    AssignRow(matrix, columns, objectiveSign, row, work);
                double total = 0;
                for (int c = 1; c <= columns; c++)
                {
                    int owner = work.ColumnOwner[c];
                    if (owner != 0)
                    {
                        rowToColumn[owner - 1] = c - 1;
                        total += matrix[(owner - 1) * columns + c - 1];
                    }
                }
                return total;
            }
            finally
            {
                work.Return();
            }
        }

        private static void Validate(ReadOnlySpan<double> matrix, int rows, int columns, Span<int> rowToColumn, string matrixName)
        {
            if (rows < 0)
                throw new ArgumentOutOfRangeException(nameof(rows), rows, "The row count must not be negative.");
            if (columns < rows)
                throw new ArgumentOutOfRangeException(nameof(columns), columns,
                    $"The column count must be at least the row count ({rows}): every row needs a distinct column.");
            if (matrix.Length != (long)rows * columns)
                throw new ArgumentException(
                    $"The matrix has {matrix.Length} entries; a {rows} × {columns} matrix needs {(long)rows * columns}.", matrixName);
            if (rowToColumn.Length != rows)
                throw new ArgumentException(
                    $"The assignment has length {rowToColumn.Length}; it needs one entry per row ({rows}).", nameof(rowToColumn));
            for (int k = 0; k < matrix.Length; k++)
            {
                if (!double.IsFinite(matrix[k]))
                    throw new ArgumentException(
                        $"The matrix entry ({k / columns}, {k % columns}) is {matrix[k]}; all entries must be finite.", matrixName);
            }
        }

        /// <summary>
        /// Adds <paramref name="row"/> to the assignment: grows a shortest augmenting path from it (Dijkstra on reduced
        /// costs, updating the potentials) until it reaches a free column, then flips the path.
        /// </summary>
        private static void AssignRow(ReadOnlySpan<double> matrix, int columns, double objectiveSign, int row, Workspace work)
        {
            work.ColumnOwner[0] = row + 1;
            int currentColumn = 0;
            Array.Fill(work.Slack, double.PositiveInfinity, 0, columns + 1);
            Array.Clear(work.Visited, 0, columns + 1);
            do
            {
                currentColumn = ExtendPath(matrix, columns, objectiveSign, currentColumn, work);
            }
            while (work.ColumnOwner[currentColumn] != 0);

            // Flip the augmenting path back to its root.
            do
            {
                int previous = work.PreviousColumn[currentColumn];
                work.ColumnOwner[currentColumn] = work.ColumnOwner[previous];
                currentColumn = previous;
            }
            while (currentColumn != 0);
        }

        /// <summary>One step of the path search from <paramref name="currentColumn"/>; returns the column it reaches.</summary>
        private static int ExtendPath(ReadOnlySpan<double> matrix, int columns, double objectiveSign, int currentColumn, Workspace work)
        {
            bool[] visited = work.Visited;
            double[] slack = work.Slack;
            double[] columnPotential = work.ColumnPotential;
            visited[currentColumn] = true;
            int pathRow = work.ColumnOwner[currentColumn] - 1;
            double pathRowPotential = work.RowPotential[pathRow];
            ReadOnlySpan<double> pathRowEntries = matrix.Slice(pathRow * columns, columns);
            double delta = double.PositiveInfinity;
            int nextColumn = -1;
            for (int c = 1; c <= columns; c++)
            {
                if (visited[c])
                    continue;
                double reducedCost = objectiveSign * pathRowEntries[c - 1] - pathRowPotential - columnPotential[c];
                if (reducedCost < slack[c])
                {
                    slack[c] = reducedCost;
                    work.PreviousColumn[c] = currentColumn;
                }
                if (slack[c] < delta)
                {
                    delta = slack[c];
                    nextColumn = c;
                }
            }
            for (int c = 0; c <= columns; c++)
            {
                if (visited[c])
                {
                    work.RowPotential[work.ColumnOwner[c] - 1] += delta;
                    columnPotential[c] -= delta;
                }
                else
                {
                    slack[c] -= delta;
                }
            }
            return nextColumn;
        }

        /// <summary>
        /// The search's arrays, rented from the shared pools. Index 0 of the column arrays is a virtual column that roots
        /// each augmenting path; real column c is c + 1. Owners are stored as row + 1 so that 0 means "free".
        /// </summary>
        private sealed class Workspace
        {
            public Workspace(int rows, int columns)
            {
                RowPotential = ArrayPool<double>.Shared.Rent(rows);
                ColumnPotential = ArrayPool<double>.Shared.Rent(columns + 1);
                Slack = ArrayPool<double>.Shared.Rent(columns + 1);
                ColumnOwner = ArrayPool<int>.Shared.Rent(columns + 1);
                PreviousColumn = ArrayPool<int>.Shared.Rent(columns + 1);
                Visited = ArrayPool<bool>.Shared.Rent(columns + 1);
                Array.Clear(RowPotential, 0, rows);
                Array.Clear(ColumnPotential, 0, columns + 1);
                Array.Clear(ColumnOwner, 0, columns + 1);
            }

            public double[] RowPotential { get; }

            public double[] ColumnPotential { get; }

            public double[] Slack { get; }

            public int[] ColumnOwner { get; }

            public int[] PreviousColumn { get; }

            public bool[] Visited { get; }

            public void Return()
            {
                ArrayPool<double>.Shared.Return(RowPotential);
                ArrayPool<double>.Shared.Return(ColumnPotential);
                ArrayPool<double>.Shared.Return(Slack);
                ArrayPool<int>.Shared.Return(ColumnOwner);
                ArrayPool<int>.Shared.Return(PreviousColumn);
                ArrayPool<bool>.Shared.Return(Visited);
            }
        }
    }
}
