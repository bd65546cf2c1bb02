namespace NanoQuant
{
    /// <summary>The broadcast plan as the native ADD and MUL read it (NQ_BC_* in nanoquant_kernels.h).</summary>
    internal sealed partial class Broadcast
    {
        /// <summary>Parameters of a native call of <paramref name="count"/> parameters, the plan filled in (<see cref="NativeBroadcastLayout"/>); the operator's own follow from <see cref="NativeBroadcastLayout.End"/>.</summary>
        internal int[] NativeParameters(int count)
        {
            int[] p = new int[count];
            p[NativeBroadcastLayout.Inner] = InnerCount;
            p[NativeBroadcastLayout.Step1] = InnerStep1;
            p[NativeBroadcastLayout.Step2] = InnerStep2;
            p[NativeBroadcastLayout.OuterRank] = _outerRank;
            for (int a = 0; a < _outerRank; a++)
            {
                p[NativeBroadcastLayout.Counts + a] = _counts[a];
                p[NativeBroadcastLayout.Strides1 + a] = _stride1[a];
                p[NativeBroadcastLayout.Strides2 + a] = _stride2[a];
            }

            return p;
        }
    }
}
