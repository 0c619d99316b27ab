using System;
using System.IO;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>Writes a grayscale PNG to a path atomically: a temporary file in the same directory, renamed over the target.</summary>
    internal static class PngFile
    {
        /// <param name="path">The file to write (replaced if it exists); its directory must exist.</param>
        /// <param name="pixels">Row-major 8-bit grayscale pixels.</param>
        /// <param name="width">Pixels per row.</param>
        /// <param name="height">Rows.</param>
        /// <param name="what">What the image is, for the error message ("dictionary image").</param>
        public static void SaveAtomically(string path, byte[] pixels, int width, int height, string what)
        {
            string fullPath = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(fullPath)!;
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException($"Cannot save the {what} '{fullPath}': the directory '{directory}' does not exist.");
            string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    PngEncoder.WriteGrayscale(file, pixels, width, height);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, fullPath, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
        }
    }
}
