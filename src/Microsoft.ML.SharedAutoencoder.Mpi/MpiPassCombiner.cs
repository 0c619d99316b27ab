using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using Microsoft.ML.SharedAutoencoder.Training;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// Combines the passes of the ranks of a communicator so that the totals are bit-identical to one process on the
    /// concatenated rows. Rank r holds a range of whole chunks of the gradient pass (the shards are checked to be
    /// aligned), so the one-process sum is the sum over rank 0's chunks, then rank 1's, and so on, each chunk added in
    /// turn (<see cref="PassTotals.Add"/>). That order is kept exactly, in a chain: rank 0 adds its chunks as it
    /// computes them; every other rank keeps its chunk partials, receives the totals of all the rows before its own from
    /// rank r − 1, adds its chunks to them and sends the result to rank r + 1; the last rank broadcasts the totals.
    /// </summary>
    /// <remarks>
    /// Cost per pass: P − 1 point-to-point messages and one broadcast of (3 + m + m² + m·n) doubles, plus the additions
    /// of rank r's chunks, which wait for rank r − 1's (m·n per chunk of 1,024 rows: about 1/1,000 of computing the
    /// chunk). See docs/distributed.md. Memory: rank r &gt; 0 keeps one copy of its chunk partials (m·n floats and m²
    /// doubles per 1,024 rows). Every message starts with a status (the lowest failing rank, or -1), so a rank that
    /// fails during a pass still takes part in it, and every rank then throws (<see cref="RankFailures"/>).
    /// </remarks>
    internal sealed class MpiPassCombiner : IPassCombiner
    {
        private const int ChainTag = 4171;

        private readonly MPI.Intracommunicator _communicator;
        private readonly int _inputSize;
        private readonly int _hiddenUnits;
        private readonly CancellationToken _cancellation;
        private readonly List<ChunkSlots> _kept = new();
        private int _keptCount;
        private double[]? _message;

        public MpiPassCombiner(MPI.Intracommunicator communicator, int inputSize, int hiddenUnits, CancellationToken cancellation)
        {
            _communicator = communicator;
            _inputSize = inputSize;
            _hiddenUnits = hiddenUnits;
            _cancellation = cancellation;
        }

        /// <summary>Seconds spent combining the passes since creation (messages, waiting for other ranks and <see cref="FoldSeconds"/>).</summary>
        public double CommunicationSeconds { get; private set; }

        /// <summary>Of <see cref="CommunicationSeconds"/>, the seconds spent adding this rank's kept chunks to the received totals.</summary>
        public double FoldSeconds { get; private set; }

        /// <summary>Passes combined since creation.</summary>
        public int Passes { get; private set; }

        private int Rank => _communicator.Rank;

        private int Size => _communicator.Size;

        public void AddWave(ChunkSlots slots, int count, PassTotals totals, Action<Action<int>> forEachUnit)
        {
            // Rank 0's chunks are the first rows: nothing comes before them.
            if (Rank == 0)
            {
                totals.Add(slots, count, forEachUnit);
                return;
            }
            for (int c = 0; c < count; c++)
            {
                if (_keptCount == _kept.Count)
                    _kept.Add(new ChunkSlots(1, _inputSize, _hiddenUnits));
                _kept[_keptCount++].CopyFrom(slots, c, 0);
            }
        }

        public void Complete(PassTotals totals, ExceptionDispatchInfo? failure, Action<Action<int>> forEachUnit)
        {
            if (failure == null && _cancellation.IsCancellationRequested)
                failure = ExceptionDispatchInfo.Capture(new OperationCanceledException("Training was cancelled on this rank.", _cancellation));
            int status = failure == null ? RankFailures.None : Rank;
            _message ??= new double[1 + totals.PackedLength];
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            if (Rank > 0)
            {
                _communicator.Receive(Rank - 1, ChainTag, ref _message);
                int before = (int)_message[0];
                if (before != RankFailures.None)
                    status = before;
                if (status == RankFailures.None)
                {
                    long foldStart = System.Diagnostics.Stopwatch.GetTimestamp();
                    totals.Unpack(_message.AsSpan(1));
                    AddKept(totals, forEachUnit);
                    FoldSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(foldStart).TotalSeconds;
                }
            }
            _keptCount = 0;
            _message[0] = status;
            if (status == RankFailures.None)
                totals.Pack(_message.AsSpan(1));
            if (Rank < Size - 1)
                _communicator.Send(_message, Rank + 1, ChainTag);
            _communicator.Broadcast(ref _message, Size - 1);
            CommunicationSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            Passes++;
            status = (int)_message[0];
            if (status != RankFailures.None)
                throw RankFailures.Throw(_communicator, status, failure, "during a gradient pass");
            totals.Unpack(_message.AsSpan(1));
        }

        private void AddKept(PassTotals totals, Action<Action<int>> forEachUnit)
        {
            for (int k = 0; k < _keptCount; k++)
                totals.Add(_kept[k], 1, forEachUnit);
        }

        public float[] InitialWeights(Func<(float[] Weights, InitializationReport Report)> compute, out InitializationReport report)
        {
            float[] weights = new float[_inputSize * _hiddenUnits];
            int[] summary = new int[8];
            ExceptionDispatchInfo? failure = null;
            int status = RankFailures.None;
            if (Rank == 0)
            {
                try
                {
                    (float[] computed, InitializationReport made) = compute();
                    computed.CopyTo(weights, 0);
                    summary = new[] { (int)made.Method, made.RequestedColumns, made.FoundColumns, made.CompletedColumns, made.PairsTried, made.PairsAccepted, made.ResidualColumns, made.RejectedColumns };
                }
                catch (Exception error)
                {
                    failure = ExceptionDispatchInfo.Capture(error);
                    status = 0;
                }
            }
            _communicator.Broadcast(ref status, 0);
            if (status != RankFailures.None)
                throw RankFailures.Throw(_communicator, status, failure, "in the initialization (computed on rank 0)");
            _communicator.Broadcast(ref weights, 0);
            _communicator.Broadcast(ref summary, 0);
            report = new InitializationReport((WeightInitialization)summary[0], summary[1], summary[2], summary[3], summary[4], summary[5], summary[6], summary[7]);
            return weights;
        }

        public double Max(double local) => _communicator.Allreduce(local, MPI.Operation<double>.Max);
    }
}
