using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Tests;

/// <summary>
/// Where a converted model's tensor records and constant blocks sit in its bytes, for tests that corrupt one field:
/// the walk over the tensor table (fixed part plus four bytes per dimension) written once.
/// </summary>
internal static class TensorRecords
{
    /// <summary>File offset of tensor <paramref name="index"/>'s record.</summary>
    public static int Offset(byte[] bytes, DeviceModel model, int index)
    {
        int p = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(ModelFormat.TensorTableOffset));
        for (int i = 0; i < index; i++)
        {
            p += ModelFormat.TensorRecordFixedSize + 4 * model.Tensors[i].Shape.Length;
        }

        return p;
    }

    /// <summary>File offset of the constant block the tensor record at <paramref name="record"/> points to.</summary>
    public static int ConstantBlock(byte[] bytes, int record) =>
        BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(ModelFormat.ConstantsOffset))
        + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(record + TensorRecordLayout.DataOffset));
}
