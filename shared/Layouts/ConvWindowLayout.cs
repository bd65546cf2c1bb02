namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters 0–10 of CONV_2D and DEPTHWISE_CONV_2D (int8 and 16x8): the sliding window and output stage.
    /// The host's lowering writes them in this order, the device's ConvWindow reads them from here, and
    /// analyze names them from here (docs/kernels/Conv2D.md).
    /// </summary>
    public static class ConvWindowLayout
    {
        /// <summary>Padding type: <see cref="WindowPadding.Same"/> or <see cref="WindowPadding.Valid"/>.</summary>
        public const int Padding = 0;

        /// <summary>Stride along the height, 1 … <see cref="WindowPadding.MaxStride"/>.</summary>
        public const int StrideHeight = 1;

        /// <summary>Stride along the width, 1 … <see cref="WindowPadding.MaxStride"/>.</summary>
        public const int StrideWidth = 2;

        /// <summary>Dilation along the height, 1 … <see cref="WindowPadding.MaxDilation"/>.</summary>
        public const int DilationHeight = 3;

        /// <summary>Dilation along the width, 1 … <see cref="WindowPadding.MaxDilation"/>.</summary>
        public const int DilationWidth = 4;

        /// <summary>Rows of padding above the input (<see cref="WindowPadding.Before"/>).</summary>
        public const int PadTop = 5;

        /// <summary>Columns of padding left of the input (<see cref="WindowPadding.Before"/>).</summary>
        public const int PadLeft = 6;

        /// <summary>Input offset: minus the input zero point.</summary>
        public const int InputOffset = 7;

        /// <summary>Output offset: the output zero point.</summary>
        public const int OutputOffset = 8;

        /// <summary>Lower end of the fused activation range.</summary>
        public const int ActivationMin = 9;

        /// <summary>Upper end of the fused activation range.</summary>
        public const int ActivationMax = 10;

        /// <summary>Number of window parameters; an operator's own parameters follow them.</summary>
        public const int Count = 11;
    }
}
