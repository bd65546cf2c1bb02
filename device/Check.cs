using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>The checks kernels run on their operands and parameters at load.</summary>
    internal static class Check
    {
        /// <summary>Throws naming <paramref name="op"/> unless <paramref name="condition"/> holds.</summary>
        internal static void That(bool condition, OperatorDefinition op, string message)
        {
            if (!condition)
            {
                throw new InvalidModelException(op.Name + ": " + message);
            }
        }

        /// <summary>Throws naming <paramref name="op"/>. Callers build the message only when the check has failed.</summary>
        internal static void Fail(OperatorDefinition op, string message)
        {
            throw new InvalidModelException(op.Name + ": " + message);
        }

        /// <summary>Checks the numbers of inputs, outputs and parameters.</summary>
        internal static void Counts(OperatorDefinition op, int inputs, int outputs, int parameters)
        {
            if (op.Inputs.Length != inputs)
            {
                Fail(op, "expects " + inputs.ToString() + " inputs, has " + op.Inputs.Length.ToString());
            }

            if (op.Outputs.Length != outputs)
            {
                Fail(op, "expects " + outputs.ToString() + " outputs, has " + op.Outputs.Length.ToString());
            }

            if (op.Parameters.Length != parameters)
            {
                Fail(op, "expects " + parameters.ToString() + " parameters, has " + op.Parameters.Length.ToString());
            }
        }

        /// <summary>An int8 input (arena or constant).</summary>
        internal static Tensor Int8Input(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Present(op, tensors, op.Inputs, slot, "input");
            if (t.type != TensorType.Int8)
            {
                Fail(op, "input " + slot.ToString() + " must be int8");
            }

            return t;
        }

        /// <summary>An int8 input held in the model's constants (weights).</summary>
        internal static Tensor Int8Constant(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Int8Input(op, tensors, slot);
            if (t.storage != TensorStorage.Constant)
            {
                Fail(op, "input " + slot.ToString() + " must be a constant");
            }

            return t;
        }

        /// <summary>An int32 constant input of exactly <paramref name="length"/> elements.</summary>
        internal static int[] Int32Constant(OperatorDefinition op, Tensor[] tensors, int slot, int length)
        {
            Tensor t = Present(op, tensors, op.Inputs, slot, "input");
            if (!(t.type == TensorType.Int32 && t.storage == TensorStorage.Constant))
            {
                Fail(op, "input " + slot.ToString() + " must be an int32 constant");
            }

            if (t.elementCount != length)
            {
                Fail(op, "input " + slot.ToString() + " must hold " + length.ToString() + " values, holds " + t.elementCount.ToString());
            }

            return t.int32Data;
        }

        /// <summary>An int32 constant input of either <paramref name="length"/> or <paramref name="alternativeLength"/> elements.</summary>
        internal static int[] Int32Constant(OperatorDefinition op, Tensor[] tensors, int slot, int length, int alternativeLength)
        {
            Tensor t = Present(op, tensors, op.Inputs, slot, "input");
            return Int32Constant(op, tensors, slot, t.elementCount == alternativeLength ? alternativeLength : length);
        }

        /// <summary>Per-channel requantization shifts: each within the range MultiplyByQuantizedMultiplier accepts.</summary>
        internal static int[] Shifts(OperatorDefinition op, Tensor[] tensors, int slot, int length)
        {
            int[] shifts = Int32Constant(op, tensors, slot, length);
            for (int i = 0; i < shifts.Length; i++)
            {
                Shift(op, shifts[i], "shift");
            }

            return shifts;
        }

        /// <summary>A requantization shift within [-31, 30].</summary>
        internal static void Shift(OperatorDefinition op, int shift, string name)
        {
            if (!(shift >= QuantizedMath.MinShift && shift <= QuantizedMath.MaxShift))
            {
                Fail(op, name + " " + shift.ToString() + " is outside [-31, 30]");
            }
        }

        /// <summary>An int8 output in the arena.</summary>
        internal static Tensor Int8Output(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Present(op, tensors, op.Outputs, slot, "output");
            if (!(t.type == TensorType.Int8 && t.storage == TensorStorage.Arena))
            {
                Fail(op, "output " + slot.ToString() + " must be an int8 arena tensor");
            }

            return t;
        }

        /// <summary>Parameter <paramref name="index"/>, which must lie in [min, max].</summary>
        internal static int Parameter(OperatorDefinition op, int index, int min, int max, string name)
        {
            int value = op.Parameters[index];
            if (!(value >= min && value <= max))
            {
                Fail(op, name + " " + value.ToString() + " is outside [" + min.ToString() + ", " + max.ToString() + "]");
            }

            return value;
        }

        /// <summary>A fused activation range: two int8 values with min ≤ max.</summary>
        internal static void ActivationRange(OperatorDefinition op, int min, int max)
        {
            if (!(min >= -128 && max <= 127 && min <= max))
            {
                Fail(op, "activation range [" + min.ToString() + ", " + max.ToString() + "] is not within int8");
            }
        }

        /// <summary>A zero point of an int8 tensor.</summary>
        internal static void ZeroPoint(OperatorDefinition op, int zeroPoint, string name)
        {
            if (!(zeroPoint >= -128 && zeroPoint <= 127))
            {
                Fail(op, name + " zero point " + zeroPoint.ToString() + " is outside int8");
            }
        }

        /// <summary>An int16 input (arena or constant).</summary>
        internal static Tensor Int16Input(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Present(op, tensors, op.Inputs, slot, "input");
            if (t.type != TensorType.Int16)
            {
                Fail(op, "input " + slot.ToString() + " must be int16");
            }

            return t;
        }

        /// <summary>An int16 output in the arena.</summary>
        internal static Tensor Int16Output(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Present(op, tensors, op.Outputs, slot, "output");
            if (!(t.type == TensorType.Int16 && t.storage == TensorStorage.Arena))
            {
                Fail(op, "output " + slot.ToString() + " must be an int16 arena tensor");
            }

            return t;
        }

        /// <summary>An int8 or int16 input (arena or constant).</summary>
        internal static Tensor ActivationInput(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            Tensor t = Present(op, tensors, op.Inputs, slot, "input");
            if (t.type != TensorType.Int8 && t.type != TensorType.Int16)
            {
                Fail(op, "input " + slot.ToString() + " must be int8 or int16");
            }

            return t;
        }

        /// <summary>An arena output of the same element type as <paramref name="input"/> (int8 or int16).</summary>
        internal static Tensor OutputLike(OperatorDefinition op, Tensor[] tensors, int slot, Tensor input)
        {
            return input.type == TensorType.Int16 ? Int16Output(op, tensors, slot) : Int8Output(op, tensors, slot);
        }

        /// <summary>An int64 constant input of exactly <paramref name="length"/> elements, or null when the slot is absent.</summary>
        internal static long[] OptionalInt64Constant(OperatorDefinition op, Tensor[] tensors, int slot, int length)
        {
            if (!(slot < op.Inputs.Length))
            {
                Fail(op, "input " + slot.ToString() + " is missing");
            }

            if (op.Inputs[slot] == ModelFormat.NoTensor)
            {
                return null;
            }

            Tensor t = tensors[op.Inputs[slot]];
            if (!(t.type == TensorType.Int64 && t.storage == TensorStorage.Constant))
            {
                Fail(op, "input " + slot.ToString() + " must be an int64 constant");
            }

            if (t.elementCount != length)
            {
                Fail(op, "input " + slot.ToString() + " must hold " + length.ToString() + " values, holds " + t.elementCount.ToString());
            }

            return t.int64Data;
        }

        /// <summary>A fused activation range within the output's type (int8 or int16) with min ≤ max.</summary>
        internal static void ActivationRange(OperatorDefinition op, int min, int max, Tensor output)
        {
            if (output.type == TensorType.Int16)
            {
                if (!(min >= -32768 && max <= 32767 && min <= max))
                {
                    Fail(op, "activation range [" + min.ToString() + ", " + max.ToString() + "] is not within int16");
                }
            }
            else
            {
                ActivationRange(op, min, max);
            }
        }

        /// <summary>Checks the rank of a tensor.</summary>
        internal static void Rank(OperatorDefinition op, Tensor t, int rank, string name)
        {
            if (t.shape.Length != rank)
            {
                Fail(op, name + " must have rank " + rank.ToString() + ", has " + t.shape.Length.ToString());
            }
        }

        /// <summary>Checks that two tensors have the same number of elements.</summary>
        internal static void SameLength(OperatorDefinition op, Tensor a, Tensor b)
        {
            That(a.elementCount == b.elementCount, op, "input and output must have the same number of elements");
        }

        /// <summary>Checks that two tensors have the same shape.</summary>
        internal static void SameShape(OperatorDefinition op, Tensor a, Tensor b, string what)
        {
            bool same = a.shape.Length == b.shape.Length;
            for (int i = 0; same && i < a.shape.Length; i++)
            {
                same = a.shape[i] == b.shape[i];
            }

            if (!same)
            {
                Fail(op, what + " must have the same shape");
            }
        }

        private static Tensor Present(OperatorDefinition op, Tensor[] tensors, int[] operands, int slot, string kind)
        {
            if (!(slot < operands.Length && operands[slot] != ModelFormat.NoTensor))
            {
                Fail(op, kind + " " + slot.ToString() + " is missing");
            }

            return tensors[operands[slot]];
        }
    }
}
