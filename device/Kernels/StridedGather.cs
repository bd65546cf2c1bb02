namespace NanoQuant
{
    /// <summary>
    /// Copies elements visited by up to six nested loops (each with a count and an input stride,
    /// possibly negative) into consecutive output elements. Shared by STRIDED_SLICE and TRANSPOSE.
    /// The constructor drops loops of count 1 and merges loops that walk the input contiguously;
    /// the caller has checked that every visited index lies inside the input.
    /// </summary>
    internal sealed class StridedGather
    {
        private const int Levels = 6;
        private readonly int[] _counts = new int[Levels];
        private readonly int[] _strides = new int[Levels];
        private readonly int _start;

        /// <param name="counts">Loop counts, outermost first.</param>
        /// <param name="strides">Input element strides of the loops.</param>
        /// <param name="start">Input element index of the first visited element.</param>
        internal StridedGather(int[] counts, int[] strides, int start)
        {
            int[] c = new int[counts.Length];
            int[] s = new int[counts.Length];
            int n = 0;
            for (int d = 0; d < counts.Length; d++)
            {
                if (counts[d] == 1)
                {
                    continue;
                }

                if (n > 0 && s[n - 1] == strides[d] * counts[d])
                {
                    c[n - 1] *= counts[d];
                    s[n - 1] = strides[d];
                    continue;
                }

                c[n] = counts[d];
                s[n] = strides[d];
                n++;
            }

            if (n > Levels)
            {
                throw new InvalidModelException("strided copy has more than " + Levels.ToString() + " dimensions");
            }

            for (int i = 0; i < Levels; i++)
            {
                int source = i - (Levels - n);
                _counts[i] = source >= 0 ? c[source] : 1;
                _strides[i] = source >= 0 ? s[source] : 0;
            }

            _start = start;
        }

        /// <summary>
        /// A gather over the elements of <paramref name="input"/>, walked in bytes: for int16 elements the
        /// strides and start are doubled and an innermost loop copies each element's two bytes.
        /// </summary>
        internal static StridedGather ForElements(int[] counts, int[] strides, int start, Tensor input)
        {
            if (input.type != NanoQuant.Format.TensorType.Int16)
            {
                return new StridedGather(counts, strides, start);
            }

            int rank = counts.Length;
            int[] byteCounts = new int[rank + 1];
            int[] byteStrides = new int[rank + 1];
            for (int d = 0; d < rank; d++)
            {
                byteCounts[d] = counts[d];
                byteStrides[d] = strides[d] * 2;
            }

            byteCounts[rank] = 2;
            byteStrides[rank] = 1;
            return new StridedGather(byteCounts, byteStrides, start * 2);
        }

        /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are equal once every 1 is removed from both.</summary>
        internal static bool SameIgnoringOnes(int[] a, int[] b)
        {
            int i = 0;
            int j = 0;
            while (true)
            {
                while (i < a.Length && a[i] == 1)
                {
                    i++;
                }

                while (j < b.Length && b[j] == 1)
                {
                    j++;
                }

                if (i == a.Length || j == b.Length)
                {
                    return i == a.Length && j == b.Length;
                }

                if (a[i] != b[j])
                {
                    return false;
                }

                i++;
                j++;
            }
        }

        internal void Run(sbyte[] input, int inputOffset, sbyte[] output, int outputOffset)
        {
            int[] counts = _counts;
            int[] strides = _strides;
            int c0 = counts[0], c1 = counts[1], c2 = counts[2], c3 = counts[3], c4 = counts[4], c5 = counts[5];
            int s0 = strides[0], s1 = strides[1], s2 = strides[2], s3 = strides[3], s4 = strides[4], s5 = strides[5];
            int o = outputOffset;
            int p0 = inputOffset + _start;
            for (int i0 = 0; i0 < c0; i0++)
            {
                int p1 = p0;
                for (int i1 = 0; i1 < c1; i1++)
                {
                    int p2 = p1;
                    for (int i2 = 0; i2 < c2; i2++)
                    {
                        int p3 = p2;
                        for (int i3 = 0; i3 < c3; i3++)
                        {
                            int p4 = p3;
                            for (int i4 = 0; i4 < c4; i4++)
                            {
                                if (s5 == 1)
                                {
                                    System.Array.Copy(input, p4, output, o, c5);
                                    o += c5;
                                }
                                else
                                {
                                    int p5 = p4;
                                    for (int i5 = 0; i5 < c5; i5++)
                                    {
                                        output[o++] = input[p5];
                                        p5 += s5;
                                    }
                                }

                                p4 += s4;
                            }

                            p3 += s3;
                        }

                        p2 += s2;
                    }

                    p1 += s1;
                }

                p0 += s0;
            }
        }
    }
}
