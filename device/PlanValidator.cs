using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Checks the host's memory plan and data flow: every arena tensor is written before it is
    /// read and written once, no operator works in place, and no two arena tensors that are alive
    /// at the same time share a byte. Variable (state) tensors are alive for the model's whole
    /// lifetime: defined from the start, updated in place by the operators that read them, never an
    /// operator's output or a model input or output.
    /// </summary>
    internal static class PlanValidator
    {
        internal static void Validate(Tensor[] tensors, OperatorDefinition[] operators, int[] inputs, int[] outputs)
        {
            int count = tensors.Length;
            int[] first = new int[count];
            int[] last = new int[count];
            bool[] defined = new bool[count];
            const int Unused = int.MinValue;
            for (int t = 0; t < count; t++)
            {
                first[t] = Unused;
                last[t] = Unused;
            }

            for (int t = 0; t < count; t++)
            {
                if (tensors[t].IsVariable)
                {
                    defined[t] = true;
                    first[t] = -1;
                    last[t] = operators.Length;
                }
            }

            for (int i = 0; i < inputs.Length; i++)
            {
                int t = inputs[i];
                RequireArenaActivation(tensors, t, "model input");
                defined[t] = true;
                first[t] = -1;
                last[t] = -1;
            }

            for (int o = 0; o < operators.Length; o++)
            {
                OperatorDefinition op = operators[o];
                for (int i = 0; i < op.Inputs.Length; i++)
                {
                    int t = op.Inputs[i];
                    if (t == ModelFormat.NoTensor || tensors[t].storage != TensorStorage.Arena)
                    {
                        continue;
                    }

                    if (!defined[t])
                    {
                        throw new InvalidModelException(op.Name + ": reads tensor " + t.ToString() + " before anything writes it");
                    }

                    if (!tensors[t].IsVariable)
                    {
                        last[t] = o;
                    }
                }

                for (int i = 0; i < op.Outputs.Length; i++)
                {
                    int t = op.Outputs[i];
                    if (tensors[t].storage != TensorStorage.Arena)
                    {
                        throw new InvalidModelException(op.Name + ": writes constant tensor " + t.ToString());
                    }

                    if (tensors[t].IsVariable)
                    {
                        throw new InvalidModelException(op.Name + ": lists variable tensor " + t.ToString() + " as an output (state is updated in place through an input)");
                    }

                    if (defined[t])
                    {
                        throw new InvalidModelException(op.Name + ": writes tensor " + t.ToString() + ", which is already written (or is an input of the model or of this operator)");
                    }

                    defined[t] = true;
                    first[t] = o;
                    last[t] = o;
                }
            }

            for (int i = 0; i < outputs.Length; i++)
            {
                int t = outputs[i];
                RequireArenaActivation(tensors, t, "model output");
                if (!defined[t])
                {
                    throw new InvalidModelException("model output tensor " + t.ToString() + " is never written");
                }

                last[t] = operators.Length;
            }

            for (int a = 0; a < count; a++)
            {
                if (first[a] == Unused)
                {
                    continue;
                }

                Tensor ta = tensors[a];
                for (int b = a + 1; b < count; b++)
                {
                    if (first[b] == Unused || first[a] > last[b] || first[b] > last[a])
                    {
                        continue;
                    }

                    Tensor tb = tensors[b];
                    if (ta.offset < tb.offset + tb.byteLength && tb.offset < ta.offset + ta.byteLength)
                    {
                        throw new InvalidModelException("memory plan: tensors " + a.ToString() + " and " + b.ToString() + " are alive together but share arena bytes");
                    }
                }
            }
        }

        private static void RequireArenaActivation(Tensor[] tensors, int t, string what)
        {
            Tensor tensor = tensors[t];
            if (tensor.storage != TensorStorage.Arena || (tensor.type != TensorType.Int8 && tensor.type != TensorType.Int16))
            {
                throw new InvalidModelException(what + " tensor " + t.ToString() + " must be an int8 or int16 arena tensor");
            }

            if (tensor.IsVariable)
            {
                throw new InvalidModelException(what + " tensor " + t.ToString() + " is a variable (state) tensor");
            }
        }
    }
}
