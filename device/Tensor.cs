using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// A tensor of a loaded device model: its shape, quantization and where its data lives.
    /// Int8 and int16 tensors live in <see cref="Data"/> (the arena or the constant pool) from the byte
    /// <see cref="Offset"/>, int16 elements as little-endian byte pairs; int32 and int64 constants in
    /// an int or long array.
    /// </summary>
    public sealed class Tensor
    {
        // Lowercase internal fields, not properties, on purpose: kernels read data and offset (and shape,
        // elementCount, ...) in their loops, and on nanoCLR's IL interpreter a field load is one instruction
        // while a property getter is a method call (docs/architecture.md, "Contributor rules").
        internal TensorType type;
        internal TensorStorage storage;
        internal int flags;
        internal int[] shape;
        internal int elementCount;
        internal int byteLength;
        internal int zeroPoint;
        internal float scale;
        internal int fileOffset;
        internal sbyte[] data;
        internal int offset;
        internal int[] int32Data;
        internal long[] int64Data;

        /// <summary>For an int8 constant stored as a palette: its layout; null otherwise.</summary>
        internal Palette palette;

        internal Tensor()
        {
        }

        /// <summary>Element type.</summary>
        public TensorType Type
        {
            get { return type; }
        }

        /// <summary>True for weights, biases and other data stored in the model; false for arena tensors.</summary>
        public bool IsConstant
        {
            get { return storage == TensorStorage.Constant; }
        }

        /// <summary>Number of dimensions.</summary>
        public int Rank
        {
            get { return shape.Length; }
        }

        /// <summary>Size of dimension <paramref name="axis"/>.</summary>
        public int GetDimension(int axis)
        {
            return shape[axis];
        }

        /// <summary>A copy of the shape.</summary>
        public int[] GetShape()
        {
            int[] copy = new int[shape.Length];
            for (int i = 0; i < shape.Length; i++)
            {
                copy[i] = shape[i];
            }

            return copy;
        }

        /// <summary>Number of elements.</summary>
        public int Length
        {
            get { return elementCount; }
        }

        /// <summary>Quantization scale: real value = <see cref="Scale"/> × (q − <see cref="ZeroPoint"/>).</summary>
        public float Scale
        {
            get { return scale; }
        }

        /// <summary>Quantization zero point.</summary>
        public int ZeroPoint
        {
            get { return zeroPoint; }
        }

        /// <summary>True when the source model took float32 input here (quantizing it with this tensor's scale and zero point).</summary>
        public bool WasFloatInput
        {
            get { return (flags & ModelFormat.FlagFloatInput) != 0; }
        }

        /// <summary>True when the source model dequantized this tensor to a float32 output.</summary>
        public bool WasFloatOutput
        {
            get { return (flags & ModelFormat.FlagFloatOutput) != 0; }
        }

        /// <summary>
        /// True when the model takes uint8 here (TFLite's <c>inference_input_type=tf.uint8</c>): give it bytes with
        /// <see cref="CopyFromUInt8"/>; their zero point is <see cref="ZeroPoint"/> + 128, their scale <see cref="Scale"/>.
        /// </summary>
        public bool IsUInt8Input
        {
            get { return (flags & ModelFormat.FlagUInt8Input) != 0; }
        }

        /// <summary>True when the model gives uint8 here (zero point <see cref="ZeroPoint"/> + 128): read it with <see cref="CopyToUInt8"/>.</summary>
        public bool IsUInt8Output
        {
            get { return (flags & ModelFormat.FlagUInt8Output) != 0; }
        }

        /// <summary>
        /// True for a variable (state) tensor, such as an LSTM's hidden or cell state: it keeps its value
        /// across <see cref="Interpreter.Invoke"/> calls until <see cref="Interpreter.ResetState"/>.
        /// </summary>
        public bool IsVariable
        {
            get { return (flags & ModelFormat.FlagVariable) != 0; }
        }

        /// <summary>The array holding an int8 or int16 tensor's bytes (shared: the arena or the constant pool).</summary>
        public sbyte[] Data
        {
            get { return data; }
        }

        /// <summary>Index of the first byte of an int8 or int16 tensor in <see cref="Data"/>.</summary>
        public int Offset
        {
            get { return offset; }
        }

        /// <summary>Copies <see cref="Length"/> int8 values from <paramref name="source"/> into this tensor.</summary>
        public void CopyFrom(sbyte[] source, int sourceOffset)
        {
            RequireInt8();
            if (source == null || sourceOffset < 0 || sourceOffset > source.Length - elementCount)
            {
                throw new System.ArgumentException("source must hold " + elementCount.ToString() + " values from the offset");
            }

            System.Array.Copy(source, sourceOffset, data, offset, elementCount);
        }

        /// <summary>Copies this tensor's <see cref="Length"/> int8 values into <paramref name="destination"/>.</summary>
        public void CopyTo(sbyte[] destination, int destinationOffset)
        {
            RequireInt8();
            if (destination == null || destinationOffset < 0 || destinationOffset > destination.Length - elementCount)
            {
                throw new System.ArgumentException("destination must have room for " + elementCount.ToString() + " values from the offset");
            }

            System.Array.Copy(data, offset, destination, destinationOffset, elementCount);
        }

        /// <summary>
        /// Copies <see cref="Length"/> uint8 values (camera pixels, say) from <paramref name="source"/> into this int8
        /// tensor: TFLM's uint8 → int8 QUANTIZE with the same scale and a zero point 128 lower, u − 128, which is
        /// the byte with its top bit flipped.
        /// </summary>
        public void CopyFromUInt8(byte[] source, int sourceOffset)
        {
            RequireInt8();
            if (source == null || sourceOffset < 0 || sourceOffset > source.Length - elementCount)
            {
                throw new System.ArgumentException("source must hold " + elementCount.ToString() + " values from the offset");
            }

            sbyte[] d = data;
            int end = offset + elementCount;
            int s = sourceOffset;
            for (int i = offset; i < end; i++)
            {
                d[i] = (sbyte)(source[s] ^ 0x80);
                s++;
            }
        }

        /// <summary>Copies this int8 tensor's <see cref="Length"/> values into <paramref name="destination"/> as uint8 (zero point + 128): TFLM's int8 → uint8 QUANTIZE.</summary>
        public void CopyToUInt8(byte[] destination, int destinationOffset)
        {
            RequireInt8();
            if (destination == null || destinationOffset < 0 || destinationOffset > destination.Length - elementCount)
            {
                throw new System.ArgumentException("destination must have room for " + elementCount.ToString() + " values from the offset");
            }

            sbyte[] d = data;
            int end = offset + elementCount;
            int t = destinationOffset;
            for (int i = offset; i < end; i++)
            {
                destination[t] = (byte)(d[i] ^ 0x80);
                t++;
            }
        }

        /// <summary>Reads element <paramref name="index"/> of an int8 tensor.</summary>
        public sbyte GetInt8(int index)
        {
            RequireInt8();
            if (index < 0 || index >= elementCount)
            {
                throw new System.ArgumentOutOfRangeException("index");
            }

            return data[offset + index];
        }

        /// <summary>Writes element <paramref name="index"/> of an int8 arena tensor.</summary>
        public void SetInt8(int index, sbyte value)
        {
            RequireInt8();
            if (index < 0 || index >= elementCount)
            {
                throw new System.ArgumentOutOfRangeException("index");
            }

            data[offset + index] = value;
        }

        /// <summary>Copies <see cref="Length"/> int16 values from <paramref name="source"/> into this int16 tensor.</summary>
        public void CopyFromInt16(short[] source, int sourceOffset)
        {
            RequireInt16();
            if (source == null || sourceOffset < 0 || sourceOffset > source.Length - elementCount)
            {
                throw new System.ArgumentException("source must hold " + elementCount.ToString() + " values from the offset");
            }

            sbyte[] d = data;
            int p = offset;
            for (int i = 0; i < elementCount; i++)
            {
                int v = source[sourceOffset + i];
                d[p] = (sbyte)v;
                d[p + 1] = (sbyte)(v >> 8);
                p += 2;
            }
        }

        /// <summary>Copies this int16 tensor's <see cref="Length"/> values into <paramref name="destination"/>.</summary>
        public void CopyToInt16(short[] destination, int destinationOffset)
        {
            RequireInt16();
            if (destination == null || destinationOffset < 0 || destinationOffset > destination.Length - elementCount)
            {
                throw new System.ArgumentException("destination must have room for " + elementCount.ToString() + " values from the offset");
            }

            sbyte[] d = data;
            int p = offset;
            for (int i = 0; i < elementCount; i++)
            {
                destination[destinationOffset + i] = (short)((d[p] & 0xFF) | (d[p + 1] << 8));
                p += 2;
            }
        }

        /// <summary>Reads element <paramref name="index"/> of an int16 tensor.</summary>
        public short GetInt16(int index)
        {
            RequireInt16();
            if (index < 0 || index >= elementCount)
            {
                throw new System.ArgumentOutOfRangeException("index");
            }

            int p = offset + 2 * index;
            return (short)((data[p] & 0xFF) | (data[p + 1] << 8));
        }

        /// <summary>Writes element <paramref name="index"/> of an int16 arena tensor.</summary>
        public void SetInt16(int index, short value)
        {
            RequireInt16();
            if (index < 0 || index >= elementCount)
            {
                throw new System.ArgumentOutOfRangeException("index");
            }

            int p = offset + 2 * index;
            data[p] = (sbyte)value;
            data[p + 1] = (sbyte)(value >> 8);
        }

        /// <summary>
        /// Quantizes real values into this int8 or int16 tensor: q = clamp(round(x / scale) + zero point)
        /// to the type's range, rounding half away from zero. Single precision, for callers on the device.
        /// </summary>
        public void Quantize(float[] values)
        {
            RequireActivation();
            if (values == null || values.Length != elementCount)
            {
                throw new System.ArgumentException("values must hold exactly " + elementCount.ToString() + " elements");
            }

            for (int i = 0; i < elementCount; i++)
            {
                float scaled = values[i] / scale;
                int rounded;
                if (scaled >= 2147483520f)
                {
                    rounded = int.MaxValue;
                }
                else if (scaled <= -2147483520f)
                {
                    rounded = int.MinValue;
                }
                else
                {
                    rounded = scaled >= 0 ? (int)(scaled + 0.5f) : -(int)(-scaled + 0.5f);
                }

                long q = (long)rounded + zeroPoint;
                if (type == TensorType.Int8)
                {
                    data[offset + i] = (sbyte)(q < -128 ? -128 : (q > 127 ? 127 : q));
                }
                else
                {
                    int v = (int)(q < -32768 ? -32768 : (q > 32767 ? 32767 : q));
                    data[offset + 2 * i] = (sbyte)v;
                    data[offset + 2 * i + 1] = (sbyte)(v >> 8);
                }
            }
        }

        /// <summary>Dequantizes this int8 or int16 tensor into <paramref name="values"/>: x = scale × (q − zero point).</summary>
        public void Dequantize(float[] values)
        {
            RequireActivation();
            if (values == null || values.Length != elementCount)
            {
                throw new System.ArgumentException("values must hold exactly " + elementCount.ToString() + " elements");
            }

            bool wide = type == TensorType.Int16;
            for (int i = 0; i < elementCount; i++)
            {
                int q = wide ? (data[offset + 2 * i] & 0xFF) | (data[offset + 2 * i + 1] << 8) : data[offset + i];
                values[i] = scale * (q - zeroPoint);
            }
        }

        private void RequireInt16()
        {
            if (type != TensorType.Int16)
            {
                throw new System.InvalidOperationException("not an int16 tensor");
            }
        }

        private void RequireActivation()
        {
            if (type != TensorType.Int8 && type != TensorType.Int16)
            {
                throw new System.InvalidOperationException("not an int8 or int16 tensor");
            }
        }

        private void RequireInt8()
        {
            if (type != TensorType.Int8)
            {
                throw new System.InvalidOperationException("not an int8 tensor");
            }
        }
    }
}
