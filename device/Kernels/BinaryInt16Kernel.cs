using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// The broadcasting walk of the int16 binary kernels (<see cref="AddInt16Kernel"/>,
    /// <see cref="SubInt16Kernel"/>, <see cref="MulInt16Kernel"/>): both inputs int16 (arena or
    /// constant), shapes broadcast to the int16 output's by <see cref="Broadcast"/>; each output
    /// element is <see cref="Compute"/> of the two input elements.
    /// </summary>
    internal abstract class BinaryInt16Kernel : Kernel
    {
        private readonly Tensor _input1;
        private readonly Tensor _input2;
        private readonly Tensor _output;
        private readonly Broadcast _broadcast;

        protected BinaryInt16Kernel(OperatorDefinition op, Tensor[] tensors, int parameterCount)
        {
            Check.Counts(op, AddSubLayout.InputCount, 1, parameterCount);
            _input1 = Check.Int16Input(op, tensors, AddSubLayout.Input1Slot);
            _input2 = Check.Int16Input(op, tensors, AddSubLayout.Input2Slot);
            _output = Check.Int16Output(op, tensors, 0);
            _broadcast = new Broadcast(op, _input1, _input2, _output);
        }

        /// <summary>The int16 output tensor (for range checks).</summary>
        protected Tensor Output
        {
            get { return _output; }
        }

        internal override long MacCount
        {
            get { return _broadcast.ElementCount; }
        }

        /// <summary>The clamped output value of one pair of input values.</summary>
        protected abstract int Compute(int a, int b);

        internal override void Invoke()
        {
            sbyte[] input1 = _input1.data;
            sbyte[] input2 = _input2.data;
            sbyte[] output = _output.data;
            int base1 = _input1.offset;
            int base2 = _input2.offset;
            int o = _output.offset;
            Broadcast broadcast = _broadcast;
            if (broadcast.IsElementwise)
            {
                int end = o + (2 * broadcast.ElementCount);
                int i1 = base1;
                int i2 = base2;
                while (o < end)
                {
                    int v = Compute((input1[i1] & 0xFF) | (input1[i1 + 1] << 8), (input2[i2] & 0xFF) | (input2[i2 + 1] << 8));
                    output[o] = (sbyte)v;
                    output[o + 1] = (sbyte)(v >> 8);
                    o += 2;
                    i1 += 2;
                    i2 += 2;
                }

                return;
            }

            int inner = broadcast.InnerCount;
            int step1 = 2 * broadcast.InnerStep1;
            int step2 = 2 * broadcast.InnerStep2;
            broadcast.Start();
            for (int outer = broadcast.OuterCount; outer > 0; outer--)
            {
                int i1 = base1 + (2 * broadcast.Offset1);
                int i2 = base2 + (2 * broadcast.Offset2);
                int end = o + (2 * inner);
                while (o < end)
                {
                    int v = Compute((input1[i1] & 0xFF) | (input1[i1 + 1] << 8), (input2[i2] & 0xFF) | (input2[i2 + 1] << 8));
                    output[o] = (sbyte)v;
                    output[o + 1] = (sbyte)(v >> 8);
                    o += 2;
                    i1 += step1;
                    i2 += step2;
                }

                broadcast.Advance();
            }
        }
    }
}
