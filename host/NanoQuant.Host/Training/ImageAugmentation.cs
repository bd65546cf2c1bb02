namespace NanoQuant.Host.Training;

/// <summary>Label-preserving changes to a training image (<see cref="TrainingOptions.Augmentation"/>).</summary>
[Flags]
public enum Augmentation
{
    None = 0,

    /// <summary>Mirror left to right, on half of the samples.</summary>
    Flip = 1,

    /// <summary>A random crop of the image padded by <see cref="ImageAugmentation.CropPadding"/> zeros on every side (a shift of up to that many pixels).</summary>
    Crop = 2,
}

/// <summary>How one training sample is shown in one step: mirrored or not, and where the crop of the padded image starts.</summary>
/// <param name="Flip">Mirror left to right.</param>
/// <param name="Top">First row of the crop in the padded image (0 … 2 × padding; padding: no shift).</param>
/// <param name="Left">First column of the crop in the padded image.</param>
public readonly record struct AugmentedView(bool Flip, int Top, int Left)
{
    /// <summary>The view that leaves an image as it is.</summary>
    public static AugmentedView Identity => new(false, ImageAugmentation.CropPadding, ImageAugmentation.CropPadding);
}

/// <summary>
/// The standard CIFAR-10 augmentation (random horizontal flips; random crops of the image padded with 4 zeros on
/// every side) on one NHWC image of a model's input. Neither changes the class an image shows, so the label stays.
/// The views come from the trainer's seeded generator, so training with augmentation stays deterministic.
/// </summary>
public static class ImageAugmentation
{
    /// <summary>Zero pixels added on every side before cropping back to the image size: the largest shift.</summary>
    public const int CropPadding = 4;

    /// <summary>Draws the view of one sample: each augmentation asked for, from <paramref name="random"/>.</summary>
    public static AugmentedView Draw(Random random, Augmentation augmentation)
    {
        bool flip = augmentation.HasFlag(Augmentation.Flip) && random.Next(2) == 1;
        if (!augmentation.HasFlag(Augmentation.Crop))
        {
            return AugmentedView.Identity with { Flip = flip };
        }

        int top = random.Next((2 * CropPadding) + 1);
        int left = random.Next((2 * CropPadding) + 1);
        return new AugmentedView(flip, top, left);
    }

    /// <summary>
    /// Writes <paramref name="view"/> of the <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/>
    /// image <paramref name="source"/> to <paramref name="target"/>: pixel (y, x) is the padded image's (y + top, x' + left)
    /// with x' = width − 1 − x when mirrored, else x; pixels of the padding are 0.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> target, int height, int width, int channels, AugmentedView view)
    {
        if (source.Length != height * width * channels || target.Length != source.Length)
        {
            throw new ArgumentException($"an image of {height} × {width} × {channels} values, not {source.Length} (target {target.Length})");
        }

        for (int y = 0; y < height; y++)
        {
            int sourceY = y + view.Top - CropPadding;
            for (int x = 0; x < width; x++)
            {
                int sourceX = (view.Flip ? width - 1 - x : x) + view.Left - CropPadding;
                var pixel = target.Slice(((y * width) + x) * channels, channels);
                if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width)
                {
                    pixel.Clear();
                }
                else
                {
                    source.Slice(((sourceY * width) + sourceX) * channels, channels).CopyTo(pixel);
                }
            }
        }
    }
}
