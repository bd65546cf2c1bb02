using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Lowering;

namespace NanoQuant.Host.DeviceModels;

/// <summary>
/// Lossless compaction of a device model's int32 constants (format version 3, `convert --compact`, implied
/// by `--cluster`): an int32 constant whose values all fit 1, 2 or 3 bytes is stored narrow
/// (<see cref="TensorStorage.Narrow"/>: requantization shifts always take 1 byte, most biases 3), and the
/// folded bias of an int8 CONV_2D or DEPTHWISE_CONV_2D — bias + input offset × Σ weights of the channel, which
/// the kernel already recomputes at load to check it — is not stored at all (<see cref="TensorStorage.Derived"/>).
/// The device widens and computes exactly the stored values, so outputs are unchanged.
/// </summary>
public static class ConstantCompaction
{
    /// <summary>
    /// Whether a conversion compacts its constants: as <paramref name="requested"/> when given, and by default only with
    /// weight clustering (<paramref name="clusters"/> set), whose palette weights leave the int32 constants a large share of the model.
    /// </summary>
    public static bool IsOn(bool? requested, int? clusters) => requested ?? clusters is not null;

    /// <summary>Bytes per element that hold every value of <paramref name="values"/> (1, 2, 3 or 4).</summary>
    public static int NarrowBytes(ReadOnlySpan<int> values)
    {
        int width = 1;
        foreach (int v in values)
        {
            int needed = v is >= sbyte.MinValue and <= sbyte.MaxValue ? 1 : v is >= short.MinValue and <= short.MaxValue ? 2 : v is >= -(1 << 23) and < (1 << 23) ? 3 : 4;
            width = Math.Max(width, needed);
        }

        return width;
    }

    /// <summary>The little-endian int32 <paramref name="data"/> as <paramref name="width"/>-byte elements (the low bytes of each).</summary>
    public static byte[] Narrow(byte[] data, int width)
    {
        int n = data.Length / 4;
        var narrow = new byte[n * width];
        for (int i = 0; i < n; i++)
        {
            data.AsSpan(i * 4, width).CopyTo(narrow.AsSpan(i * width));
        }

        return narrow;
    }

    /// <summary>Narrow elements of <paramref name="width"/> bytes, sign-extended back to little-endian int32 bytes.</summary>
    public static byte[] Widen(ReadOnlySpan<byte> narrow, int width)
    {
        int n = narrow.Length / width;
        var data = new byte[n * 4];
        for (int i = 0; i < n; i++)
        {
            int v = 0;
            for (int b = 0; b < width; b++)
            {
                v |= narrow[(i * width) + b] << (8 * b);
            }

            int shift = 32 - (8 * width);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), (v << shift) >> shift);
        }

        return data;
    }

    /// <summary>
    /// The int32 constants that can be left for the device to derive: the folded biases (input 3) of int8
    /// CONV_2D and DEPTHWISE_CONV_2D operators that no other operand slot uses, each checked here to equal
    /// the fold the kernel computes.
    /// </summary>
    public static HashSet<int> DerivableFoldedBiases(DeviceModel model)
    {
        var candidates = new HashSet<int>();
        var otherUses = new HashSet<int>();
        foreach (var op in model.Operators)
        {
            for (int slot = 0; slot < op.Inputs.Length; slot++)
            {
                int t = op.Inputs[slot];
                if (t < 0)
                {
                    continue;
                }

                if (slot == Conv2DLayout.FoldedBiasSlot && Folds(model, op))
                {
                    candidates.Add(t);
                }
                else
                {
                    otherUses.Add(t);
                }
            }
        }

        candidates.ExceptWith(otherUses);
        candidates.ExceptWith(model.Inputs);
        candidates.ExceptWith(model.Outputs);
        return candidates;
    }

    /// <summary>The values a derived folded bias of <paramref name="op"/> takes on the device.</summary>
    public static int[] FoldedBias(DeviceModel model, DeviceOperator op)
    {
        var filter = model.Tensors[op.Inputs[Conv2DLayout.FilterSlot]];
        var bias = Int32Values(model.Tensors[op.Inputs[Conv2DLayout.BiasSlot]]);
        sbyte[] weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(filter.ConstantData).ToArray();
        int rowLength = filter.ElementCount / bias.Length;
        return Folding.FoldInputOffset(bias, weights, bias.Length, rowLength, op.Parameters[ConvWindowLayout.InputOffset]);
    }

    // An int8 convolution whose input 3 is an int32 constant equal to the fold of its bias and filter.
    private static bool Folds(DeviceModel model, DeviceOperator op)
    {
        if (op.Type is not (OperatorType.Conv2D or OperatorType.DepthwiseConv2D) || op.Inputs.Length != Conv2DLayout.InputCount || op.Parameters.Length <= ConvWindowLayout.InputOffset
            || op.Inputs.Take(Conv2DLayout.FoldedBiasSlot + 1).Any(i => i < 0))
        {
            return false;
        }

        var input = model.Tensors[op.Inputs[Conv2DLayout.InputSlot]];
        var filter = model.Tensors[op.Inputs[Conv2DLayout.FilterSlot]];
        var bias = model.Tensors[op.Inputs[Conv2DLayout.BiasSlot]];
        var folded = model.Tensors[op.Inputs[Conv2DLayout.FoldedBiasSlot]];
        if (input.Type != TensorType.Int8 || filter.Type != TensorType.Int8 || filter.IsArena || filter.ConstantData is null
            || bias.Type != TensorType.Int32 || bias.IsArena || folded.Type != TensorType.Int32 || folded.IsArena || folded.ConstantData is null
            || folded.ElementCount != bias.ElementCount || bias.ElementCount == 0 || filter.ElementCount % bias.ElementCount != 0)
        {
            return false;
        }

        return FoldedBias(model, op).SequenceEqual(Int32Values(folded));
    }

    private static int[] Int32Values(DeviceTensor t) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(t.ConstantData).ToArray();
}
