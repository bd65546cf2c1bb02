namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of STRIDED_SLICE (<see cref="OperatorType.StridedSlice"/>): the begin/end/shrink masks and
    /// negative indices resolved at conversion, three per input dimension. One input (slot 0), one output.
    /// </summary>
    public static class StridedSliceLayout
    {
        /// <summary>Within dimension d's block at <c>PerDimension × d</c>: the first index (−1 … size).</summary>
        public const int Start = 0;

        /// <summary>Within a dimension's block: the index the slice stops before (−1 … size).</summary>
        public const int Stop = 1;

        /// <summary>Within a dimension's block: the step (non-zero, negative walks backwards).</summary>
        public const int Step = 2;

        /// <summary>Parameters per input dimension.</summary>
        public const int PerDimension = 3;
    }
}
