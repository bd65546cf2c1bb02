namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of PAD (<see cref="OperatorType.Pad"/>, from PAD and PADV2), int8 and int16: the value padded
    /// with, then two per input dimension. One input (slot 0), one output.
    /// </summary>
    public static class PadLayout
    {
        /// <summary>The value written into the padding (the output zero point or PADV2's constant; 0 for int16).</summary>
        public const int PadValue = 0;

        /// <summary>Dimension d's padding before at <c>Paddings + PaddingsPerDimension × d</c>, after at the next index.</summary>
        public const int Paddings = 1;

        /// <summary>Parameters per input dimension (before, after).</summary>
        public const int PaddingsPerDimension = 2;
    }
}
