using System;
using System.IO;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>
    /// Draws a dictionary of image-shaped atoms (e.g. the columns of W from
    /// <see cref="SharedAutoencoderModelParameters.GetWeights"/>, 28×28 for MNIST or 8×8 for the digits) as a grayscale
    /// PNG grid of tiles, atom i at grid row i / columns, column i % columns, in reading order. Each atom is scaled on its
    /// own, symmetric around 0: pixel = round(128 + 127·w / max|w|), so 0 is mid-grey (128), the atom's largest
    /// positive entry white-ish (255) and its most negative one black-ish (1); an all-zero atom is plain grey. Entry
    /// r·tileWidth + c of an atom (row-major, the order of IDX <c>Features</c>) is the tile's pixel at row r, column c.
    /// Tiles are separated by a gap of one black (0) pixel; unused grid cells are black.
    /// </summary>
    public static class DictionaryImage
    {
        /// <summary>The pixel value of an atom entry equal to 0.</summary>
        public const byte ZeroLevel = 128;

        /// <summary>The pixel value of the gaps between tiles and of unused grid cells.</summary>
        public const byte GapLevel = 0;

        private const int MaxImageSide = 1 << 15;

        /// <summary>
        /// Writes the PNG grid to <paramref name="path"/> atomically: to a temporary file in the same directory, then
        /// renamed over the target, so a failed save leaves any existing file as it was.
        /// </summary>
        /// <param name="atoms">The atoms: m arrays of <paramref name="tileHeight"/>·<paramref name="tileWidth"/> finite values.</param>
        /// <param name="tileHeight">The height of one atom's image, ≥ 1.</param>
        /// <param name="tileWidth">The width of one atom's image, ≥ 1.</param>
        /// <param name="path">The PNG file to write (replaced if it exists); its directory must exist.</param>
        /// <param name="columns">Tiles per grid row; null for ⌈√m⌉ (a near-square grid).</param>
        /// <param name="scale">Each atom entry is drawn as <paramref name="scale"/>×<paramref name="scale"/> pixels (1 to 64), e.g. 4 for 8×8 atoms; the gaps stay one pixel.</param>
        public static void SavePng(float[][] atoms, int tileHeight, int tileWidth, string path, int? columns = null, int scale = 1)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            (byte[] pixels, int width, int height) = Render(atoms, tileHeight, tileWidth, columns, scale);
            PngFile.SaveAtomically(path, pixels, width, height, "dictionary image");
        }

        /// <summary>Writes the PNG grid to <paramref name="stream"/> (see <see cref="SavePng(float[][], int, int, string, int?, int)"/>); the stream is left open.</summary>
        /// <param name="atoms">The atoms: m arrays of <paramref name="tileHeight"/>·<paramref name="tileWidth"/> finite values.</param>
        /// <param name="tileHeight">The height of one atom's image, ≥ 1.</param>
        /// <param name="tileWidth">The width of one atom's image, ≥ 1.</param>
        /// <param name="stream">A writable stream; the PNG is written from its current position.</param>
        /// <param name="columns">Tiles per grid row; null for ⌈√m⌉ (a near-square grid).</param>
        /// <param name="scale">Each atom entry is drawn as <paramref name="scale"/>×<paramref name="scale"/> pixels (1 to 64); the gaps stay one pixel.</param>
        public static void SavePng(float[][] atoms, int tileHeight, int tileWidth, Stream stream, int? columns = null, int scale = 1)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanWrite)
                throw new ArgumentException("The stream is not writable.", nameof(stream));
            (byte[] pixels, int width, int height) = Render(atoms, tileHeight, tileWidth, columns, scale);
            PngEncoder.WriteGrayscale(stream, pixels, width, height);
        }

        /// <summary>The grid as row-major grayscale pixels, with its width and height; validates every argument first.</summary>
        internal static (byte[] Pixels, int Width, int Height) Render(float[][] atoms, int tileHeight, int tileWidth, int? columns, int scale)
        {
            Validate(atoms, tileHeight, tileWidth, columns, scale);
            int count = atoms.Length;
            int gridColumns = columns ?? (int)Math.Ceiling(Math.Sqrt(count));
            int gridRows = (count + gridColumns - 1) / gridColumns;
            int tileW = tileWidth * scale, tileH = tileHeight * scale;
            long width = (long)gridColumns * (tileW + 1) - 1, height = (long)gridRows * (tileH + 1) - 1;
            if (width > MaxImageSide || height > MaxImageSide)
                throw new ArgumentException($"The grid would be {width}×{height} pixels, more than {MaxImageSide} on a side: draw fewer atoms, a smaller scale, or other columns.", nameof(atoms));

            var pixels = new byte[width * height];
            Array.Fill(pixels, GapLevel);
            for (int i = 0; i < count; i++)
            {
                float[] atom = atoms[i];
                float largest = 0;
                foreach (float value in atom)
                    largest = Math.Max(largest, Math.Abs(value));
                int left = i % gridColumns * (tileW + 1), top = i / gridColumns * (tileH + 1);
                for (int p = 0; p < atom.Length; p++)
                {
                    byte level = largest == 0 ? ZeroLevel : (byte)Math.Round(ZeroLevel + 127.0 * atom[p] / largest);
                    int x0 = left + p % tileWidth * scale, y0 = top + p / tileWidth * scale;
                    for (int dy = 0; dy < scale; dy++)
                        pixels.AsSpan((int)((y0 + dy) * width + x0), scale).Fill(level);
                }
            }
            return (pixels, (int)width, (int)height);
        }

        private static void Validate(float[][] atoms, int tileHeight, int tileWidth, int? columns, int scale)
        {
            ArgumentNullException.ThrowIfNull(atoms);
            if (atoms.Length == 0)
                throw new ArgumentException("There are no atoms to draw.", nameof(atoms));
            if (tileHeight < 1 || tileWidth < 1 || tileHeight > MaxImageSide || tileWidth > MaxImageSide)
                throw new ArgumentOutOfRangeException(nameof(tileHeight), $"The tile must be at least 1×1 and at most {MaxImageSide} on a side, got {tileHeight}×{tileWidth}.");
            if (scale < 1 || scale > 64)
                throw new ArgumentOutOfRangeException(nameof(scale), scale, $"{nameof(scale)} must be in [1, 64], got {scale}.");
            if (columns is int c && (c < 1 || c > atoms.Length))
                throw new ArgumentOutOfRangeException(nameof(columns), columns, $"{nameof(columns)} must be in [1, {atoms.Length}] (the number of atoms), or null for a near-square grid; got {c}.");
            int length = tileHeight * tileWidth;
            for (int i = 0; i < atoms.Length; i++)
            {
                if (atoms[i] is null)
                    throw new ArgumentException($"Atom {i} is null.", nameof(atoms));
                if (atoms[i].Length != length)
                    throw new ArgumentException($"Atom {i} has {atoms[i].Length} entries, but a {tileHeight}×{tileWidth} tile needs {length}: give the image height and width of the data the atoms were learned on (e.g. 28×28 for MNIST, 8×8 for the digits).", nameof(atoms));
                int bad = Array.FindIndex(atoms[i], v => !float.IsFinite(v));
                if (bad >= 0)
                    throw new ArgumentException($"Atom {i} has the non-finite value {atoms[i][bad]} at entry {bad}; only finite atoms can be drawn.", nameof(atoms));
            }
        }
    }
}
