namespace NanoQuant
{
    /// <summary>The broadcast plan as the native ADD and MUL read it (NQ_BC_* in nanoquant_kernels.h).</summary>
    internal sealed partial class Broadcast
    {
        /// <summary>Parameters of a native call: the plan from <see cref="NativeOperator.First"/>, then <paramref name="extra"/> free slots for the operator.</summary>
        internal int[] NativeParameters(int extra)
        {
            const int Max = NativeOperator.BroadcastMaxOuter;
            int[] p = new int[NativeOperator.First + 4 + (3 * Max) + extra];
            int i = NativeOperator.First;
            p[i++] = InnerCount;
            p[i++] = InnerStep1;
            p[i++] = InnerStep2;
            p[i++] = _outerRank;
            for (int a = 0; a < _outerRank; a++)
            {
                p[i + a] = _counts[a];
                p[i + Max + a] = _stride1[a];
                p[i + (2 * Max) + a] = _stride2[a];
            }

            return p;
        }

        /// <summary>Index of the first slot after the plan.</summary>
        internal const int NativeEnd = NativeOperator.First + 4 + (3 * NativeOperator.BroadcastMaxOuter);
    }
}
