using System;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// The MPI environment of a process taking part in distributed training: starts MPI (MPI_Init) on MPICH through
    /// MPI.NET, checks the launcher, and ends MPI (MPI_Finalize) when disposed. Create exactly one per process, at the
    /// start of <c>Main</c>, and dispose it at the end: MPI cannot be started again in the same process.
    /// </summary>
    /// <example>
    /// <code>
    /// using var mpi = MpiSession.Start(ref args);   // launched as: mpiexec.mpich -n 4 dotnet app.dll
    /// var model = estimator.FitDistributed(myShard, mpi.World);
    /// if (mpi.Rank == 0) mlContext.Model.Save(model, myShard.Schema, "model.zip");
    /// </code>
    /// Started without a launcher, the program runs as a single process of size 1 (MPI's singleton mode).
    /// </example>
    public sealed class MpiSession : IDisposable
    {
        private static readonly object Gate = new();
        private static bool _started;
        private MPI.Environment? _environment;

        private MpiSession(MPI.Environment environment)
        {
            _environment = environment;
            World = MPI.Communicator.world;
            MpiRuntime.CheckWorldSize(World.Size);
        }

        /// <summary>All processes of the job (MPI_COMM_WORLD).</summary>
        public MPI.Intracommunicator World { get; }

        /// <summary>This process's rank in <see cref="World"/>, from 0.</summary>
        public int Rank => World.Rank;

        /// <summary>The number of processes in <see cref="World"/>.</summary>
        public int Size => World.Size;

        /// <summary>
        /// Starts MPI. <paramref name="args"/> are the program's arguments; MPI may remove the ones it owns.
        /// Throws <see cref="InvalidOperationException"/> saying how to fix it when MPICH is not installed, the process
        /// was started by Open MPI's launcher, the launcher's process count does not match MPI's, or MPI was already
        /// started in this process.
        /// </summary>
        /// <param name="args">The program's command-line arguments.</param>
        public static MpiSession Start(ref string[] args)
        {
            ArgumentNullException.ThrowIfNull(args);
            lock (Gate)
            {
                if (_started)
                    throw new InvalidOperationException("MPI was already started in this process: create one MpiSession per process, at the start of Main, and pass its World around.");
                MpiRuntime.EnsureLoaded();
                var environment = new MPI.Environment(ref args);
                _started = true;
                try
                {
                    return new MpiSession(environment);
                }
                catch
                {
                    environment.Dispose();
                    throw;
                }
            }
        }

        /// <summary>
        /// Ends every process of the job at once (MPI_Abort) with <paramref name="exitCode"/>. For a failure on one rank
        /// outside <see cref="DistributedTraining.FitDistributed"/> (which stops every rank by itself): the other ranks
        /// may be waiting for this one in a collective call, and would wait forever.
        /// </summary>
        /// <param name="exitCode">The exit code of the job.</param>
        public void Abort(int exitCode) => World.Abort(exitCode);

        /// <summary>Ends MPI (MPI_Finalize). Every rank must dispose its session, after its last collective call.</summary>
        public void Dispose()
        {
            _environment?.Dispose();
            _environment = null;
        }
    }
}
