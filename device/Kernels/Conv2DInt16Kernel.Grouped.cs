namespace NanoQuant
{
    /// <summary>The grouped variant of <see cref="Conv2DInt16Kernel"/> (input channels a multiple of the filter's).</summary>
    internal sealed partial class Conv2DInt16Kernel
    {
        /// <summary>
        /// All output channels of one output position of a grouped convolution, one at a time, over the
        /// filter taps rows × columns starting at input byte <paramref name="firstTap"/> (channel 0) and,
        /// in channel 0's filter, weight <paramref name="firstWeight"/>.
        /// </summary>
        private void PixelGrouped(int firstTap, int firstWeight, int rows, int columns, int outByte)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            ConvWindow window = _window;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            int filterDepth = _filterDepth;
            int filtersPerGroup = _filtersPerGroup;
            int rowLength = _rowLength;
            int inputRowStep = 2 * window.DilationHeight * window.InputWidth * window.InputDepth;
            int inputColumnStep = 2 * window.DilationWidth * window.InputDepth;
            int filterRowStep = window.KernelWidth * filterDepth;
            int depthBytes = 2 * filterDepth;
            int channel = 0;
            for (int g = 0; g < _groups; g++)
            {
                int groupTap = firstTap + (g * depthBytes);
                for (int k = 0; k < filtersPerGroup; k++)
                {
                    long acc = bias != null ? bias[channel] : 0;
                    int rowInput = groupTap;
                    int rowWeight = firstWeight + (channel * rowLength);
                    for (int r = 0; r < rows; r++)
                    {
                        int columnInput = rowInput;
                        int w = rowWeight;
                        for (int kx = 0; kx < columns; kx++)
                        {
                            int i = columnInput;
                            int end = i + depthBytes;
                            while (i < end)
                            {
                                acc += ((input[i] & 0xFF) | (input[i + 1] << 8)) * filter[w++];
                                i += 2;
                            }

                            columnInput += inputColumnStep;
                        }

                        rowInput += inputRowStep;
                        rowWeight += filterRowStep;
                    }

                    Int16Math.Store(output, outByte, acc, multipliers[channel], shifts[channel], 0, min, max);
                    outByte += 2;
                    channel++;
                }
            }
        }
    }
}
