namespace NanoQuant
{
    /// <summary>
    /// QUANTIZE from int8 to int8 (TFLM reference_ops::Requantize): moves values to another scale and
    /// zero point. Input: 0 int8. Output: 0 int8 of the same shape. Parameters: 0 input zero point,
    /// 1 output zero point, 2 multiplier, 3 shift (input scale / output scale as TFLite's QuantizeMultiplier).
    /// out = clamp(MultiplyByQuantizedMultiplier(q − input zp, multiplier, shift) + output zp, −128, 127).
    /// The 256 possible results are tabulated at load; a step is one lookup.
    /// </summary>
    internal sealed class RequantizeKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly sbyte[] _table;

        internal RequantizeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, 4);
            _input = Check.Int8Input(op, tensors, 0);
            _output = Check.Int8Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            int inputZeroPoint = op.Parameters[0];
            int outputZeroPoint = op.Parameters[1];
            Check.ZeroPoint(op, inputZeroPoint, "input");
            Check.ZeroPoint(op, outputZeroPoint, "output");
            int multiplier = Check.Parameter(op, 2, 0, int.MaxValue, "multiplier");
            int shift = op.Parameters[3];
            Check.Shift(op, shift, "shift");
            _table = new sbyte[256];
            for (int q = -128; q < 128; q++)
            {
                int v = QuantizedMath.MultiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift) + outputZeroPoint;
                _table[q + 128] = (sbyte)(v < -128 ? -128 : (v > 127 ? 127 : v));
            }
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            sbyte[] table = _table;
            int i = _input.offset;
            int o = _output.offset;
            int end = o + _output.elementCount;
            while (o < end)
            {
                output[o++] = table[input[i++] + 128];
            }
        }
    }
}
