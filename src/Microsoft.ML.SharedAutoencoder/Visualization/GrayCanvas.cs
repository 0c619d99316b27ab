using System;

namespace Microsoft.ML.SharedAutoencoder.Visualization
{
    /// <summary>A white 8-bit grayscale pixel buffer with the few drawing operations the charts need.</summary>
    internal sealed class GrayCanvas
    {
        public GrayCanvas(int width, int height)
        {
            Width = width;
            Height = height;
            Pixels = new byte[width * height];
            Array.Fill(Pixels, (byte)255);
        }

        public int Width { get; }

        public int Height { get; }

        /// <summary>Row-major pixels, 0 black to 255 white.</summary>
        public byte[] Pixels { get; }

        public void Set(int x, int y, byte level)
        {
            if ((uint)x < (uint)Width && (uint)y < (uint)Height)
                Pixels[y * Width + x] = level;
        }

        public void HorizontalLine(int x0, int x1, int y, byte level)
        {
            for (int x = Math.Min(x0, x1); x <= Math.Max(x0, x1); x++)
                Set(x, y, level);
        }

        public void VerticalLine(int x, int y0, int y1, byte level)
        {
            for (int y = Math.Min(y0, y1); y <= Math.Max(y0, y1); y++)
                Set(x, y, level);
        }

        /// <summary>A line <paramref name="thickness"/> pixels wide (Bresenham, each point drawn as a small square).</summary>
        public void Line(int x0, int y0, int x1, int y1, byte level, int thickness = 2)
        {
            int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
            int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
            int error = dx + dy;
            while (true)
            {
                for (int a = 0; a < thickness; a++)
                {
                    for (int b = 0; b < thickness; b++)
                        Set(x0 + a, y0 + b, level);
                }
                if (x0 == x1 && y0 == y1)
                    return;
                int twice = 2 * error;
                if (twice >= dy)
                {
                    error += dy;
                    x0 += sx;
                }
                if (twice <= dx)
                {
                    error += dx;
                    y0 += sy;
                }
            }
        }

        /// <summary>Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>).</summary>
        public void Text(string text, int x, int y, byte level = 0, int scale = 1)
        {
            for (int i = 0; i < text.Length; i++)
            {
                for (int gy = 0; gy < PixelFont.GlyphHeight; gy++)
                {
                    for (int gx = 0; gx < PixelFont.GlyphWidth; gx++)
                    {
                        if (!PixelFont.IsSet(text[i], gx, gy))
                            continue;
                        for (int a = 0; a < scale; a++)
                        {
                            for (int b = 0; b < scale; b++)
                                Set(x + (i * PixelFont.Advance + gx) * scale + a, y + gy * scale + b, level);
                        }
                    }
                }
            }
        }
    }
}
