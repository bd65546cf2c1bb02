using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Attaches the constants of checked tables: int8 and int16 constants copied into one byte pool (palettes
    /// decoded there, or kept encoded with CompactPalettes) or left on storage for the streamer; int32 constants
    /// read (narrow ones widened), int64 ones assembled; derived ones left to their kernel.
    /// </summary>
    internal sealed class ConstantLoader
    {
        /// <summary>The int8/int16 constant pool (empty when weights are streamed).</summary>
        internal sbyte[] ConstantPool;

        /// <summary>Stages each operator's int8 constants before it runs; null when nothing needs staging.</summary>
        internal WeightStreamer Streamer;

        /// <summary>Bytes of int32 and int64 constants in RAM.</summary>
        internal int Int32ConstantBytes;

        /// <summary>Reads every constant of <paramref name="tables"/> from <paramref name="source"/>.</summary>
        internal ConstantLoader(ModelTables tables, ModelSource source, bool streamWeights, bool expandPalettes, int maxArrayBytes)
        {
            Tensor[] tensors = tables.Tensors;
            int[] narrowBytes = tables.NarrowBytes;
            // Int8 and int16 constants: copied into one byte pool (palettes decoded there, or kept encoded
            // with CompactPalettes), or left on storage for the streamer. Palettes not decoded here are
            // decoded per operator into the streamer's buffer.
            if (streamWeights)
            {
                ConstantPool = new sbyte[0];
            }
            else
            {
                if (tables.PoolBytes > maxArrayBytes)
                {
                    throw new InvalidModelException("int8 constants of " + tables.PoolBytes.ToString() + " bytes exceed the largest array of " + maxArrayBytes.ToString()
                        + " bytes; load the model with ModelLoadMode.StreamWeights");
                }

                ConstantPool = new sbyte[tables.PoolBytes];
            }

            if (streamWeights || (tables.PaletteCount > 0 && !expandPalettes))
            {
                Streamer = new WeightStreamer(source, tensors, tables.Operators, streamWeights, maxArrayBytes);
            }

            int int32Bytes = 0;
            sbyte[] tableScratch = null;
            for (int i = 0; i < tensors.Length; i++)
            {
                Tensor t = tensors[i];
                if (t.storage == TensorStorage.Arena)
                {
                    // Attached to its arena array by ArenaSegments.
                }
                else if (t.palette != null)
                {
                    if (streamWeights)
                    {
                        // Decoded per operator by the streamer.
                    }
                    else if (expandPalettes)
                    {
                        if (tableScratch == null || tableScratch.Length < t.palette.TableBytes)
                        {
                            tableScratch = new sbyte[t.palette.TableBytes];
                        }

                        t.data = ConstantPool;
                        t.palette.ReadAndDecode(source, t.fileOffset, tableScratch, t.elementCount, ConstantPool, t.offset);

                        // Decoded into the pool, the tensor is a plain constant: its Palette object would only hold RAM
                        // (nine heap blocks per tensor) the plain model does not need.
                        t.palette = null;
                    }
                    else
                    {
                        t.palette.Block = ConstantPool;
                        source.ReadInt8(t.fileOffset, ConstantPool, t.palette.BlockOffset, t.palette.BlockBytes);
                    }
                }
                else if (t.type == TensorType.Int8 || t.type == TensorType.Int16)
                {
                    if (!streamWeights)
                    {
                        t.data = ConstantPool;
                        source.ReadInt8(t.fileOffset, ConstantPool, t.offset, t.byteLength);
                    }
                }
                else if (t.storage == TensorStorage.Derived)
                {
                    // Computed by its kernel at load, into an array of its own.
                    int32Bytes += t.byteLength;
                }
                else if (t.type == TensorType.Int32)
                {
                    int[] values = new int[t.elementCount];
                    int width = narrowBytes == null ? 0 : narrowBytes[i];
                    if (width == 0)
                    {
                        source.ReadInt32(t.fileOffset, values);
                    }
                    else
                    {
                        ReadNarrow(source, t, width, values);
                    }

                    t.int32Data = values;
                    int32Bytes += t.byteLength;
                }
                else
                {
                    // Int64 (16x8 biases): read as pairs of little-endian int32 words.
                    int[] words = new int[t.elementCount * 2];
                    source.ReadInt32(t.fileOffset, words);
                    long[] values = new long[t.elementCount];
                    for (int k = 0; k < values.Length; k++)
                    {
                        values[k] = ((long)words[2 * k + 1] << 32) | (uint)words[2 * k];
                    }

                    t.int64Data = values;
                    int32Bytes += t.byteLength;
                }
            }

            Int32ConstantBytes = int32Bytes;
        }

        /// <summary>Widens a narrow int32 constant: each element 1, 2 or 3 little-endian bytes, sign-extended.</summary>
        private static void ReadNarrow(ModelSource source, Tensor t, int width, int[] values)
        {
            byte[] raw = new byte[t.elementCount * width];
            source.ReadBytes(t.fileOffset, raw, 0, raw.Length);
            int shift = 32 - (8 * width);
            int p = 0;
            for (int i = 0; i < values.Length; i++)
            {
                int v = raw[p];
                if (width > 1)
                {
                    v |= raw[p + 1] << 8;
                }

                if (width > 2)
                {
                    v |= raw[p + 2] << 16;
                }

                values[i] = (v << shift) >> shift;
                p += width;
            }
        }
    }
}
