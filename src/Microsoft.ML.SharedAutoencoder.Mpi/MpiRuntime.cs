using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SharedAutoencoder.Mpi
{
    /// <summary>
    /// Makes MPI.NET run on Linux: the NuGet build of MPI.NET imports <c>msmpi.dll</c> (Microsoft MPI) and uses
    /// MPICH-ABI integer handles, so on Linux the import is redirected, once per process, to MPICH's
    /// <c>libmpich.so.12</c> (or the library named by <see cref="LibraryVariable"/>). MPICH-ABI implementations (MPICH,
    /// Intel MPI, Cray MPICH, MVAPICH) work; Open MPI does not (pointer handles), and is refused before it can crash.
    /// </summary>
    internal static class MpiRuntime
    {
        /// <summary>An environment variable naming another MPICH-ABI library to load instead of libmpich.so.12.</summary>
        public const string LibraryVariable = "SHAREDAUTOENCODER_MPI_LIBRARY";

        private const string DefaultLibrary = "libmpich.so.12";
        private const string ImportedName = "msmpi.dll";
        private static readonly object Gate = new();
        private static IntPtr _library;
        private static bool _resolverSet;

        /// <summary>The library the MPI calls go to (the file name as loaded).</summary>
        public static string LibraryName => Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } name ? name : DefaultLibrary;

        /// <summary>
        /// Loads the MPI library and redirects MPI.NET's import to it; idempotent. Throws with how to fix it when the
        /// library is missing or the process was started by Open MPI's launcher.
        /// </summary>
        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (_resolverSet)
                    return;
                RefuseOpenMpiLauncher();
                if (OperatingSystem.IsWindows())
                {
                    // msmpi.dll is the real library there: nothing to redirect.
                    _resolverSet = true;
                    return;
                }
                string name = LibraryName;
                if (!NativeLibrary.TryLoad(name, out _library))
                    throw new InvalidOperationException(
                        $"The MPI library '{name}' could not be loaded. Distributed training needs MPICH (or another MPICH-ABI MPI: Intel MPI, " +
                        $"Cray MPICH, MVAPICH): install it with apt-get install mpich (Debian/Ubuntu), or set {LibraryVariable} to the path " +
                        "of your MPICH-ABI libmpi, then launch with mpiexec.mpich -n P dotnet app.dll.");
                NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, Resolve);
                _resolverSet = true;
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
            => string.Equals(name, ImportedName, StringComparison.OrdinalIgnoreCase) || string.Equals(name, "msmpi", StringComparison.OrdinalIgnoreCase)
                ? _library
                : IntPtr.Zero;

        /// <summary>
        /// Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE. Its processes would each start MPICH as a singleton of size 1
        /// and silently train P separate models, so this is an error rather than a warning.
        /// </summary>
        private static void RefuseOpenMpiLauncher()
        {
            if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 } size)
                throw new InvalidOperationException(
                    $"This process was started by Open MPI's launcher (OMPI_COMM_WORLD_SIZE = {size}), but MPI.NET needs an MPICH-ABI MPI. " +
                    "Launch with mpiexec.mpich -n P dotnet app.dll (mpirun may point to Open MPI when both are installed).");
        }

        /// <summary>
        /// Checks the world size against what the launcher announced (Hydra and Slurm's PMI set PMI_SIZE): a mismatch
        /// means the processes did not join one job, e.g. a launcher of another MPI.
        /// </summary>
        public static void CheckWorldSize(int worldSize)
        {
            if (Environment.GetEnvironmentVariable("PMI_SIZE") is { Length: > 0 } text && int.TryParse(text, out int expected) && expected != worldSize)
                throw new InvalidOperationException(
                    $"The launcher started {expected} processes (PMI_SIZE) but MPI sees a world of {worldSize}: the launcher belongs to another " +
                    "MPI than the library loaded. Launch with mpiexec.mpich -n P dotnet app.dll.");
        }
    }
}
