namespace NanoQuant
{
    /// <summary>
    /// Creates each operator's kernel (docs/device-model-format.md, "What the loader checks", step 9): the kernel's
    /// constructor checks its operands and parameters. A streamed or compact-palette model stages each operator's
    /// weights first, so every constructor sees its weights.
    /// </summary>
    internal static class KernelBuilder
    {
        /// <summary>The kernels of <paramref name="operators"/>, in order.</summary>
        internal static Kernel[] Build(OperatorDefinition[] operators, Tensor[] tensors, WeightStreamer streamer)
        {
            Kernel[] kernels = new Kernel[operators.Length];
            for (int i = 0; i < operators.Length; i++)
            {
                if (streamer != null)
                {
                    streamer.Stage(i);
                }

                kernels[i] = KernelFactory.Create(operators[i], tensors);
            }

            return kernels;
        }
    }
}
