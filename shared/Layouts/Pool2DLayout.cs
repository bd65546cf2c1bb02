namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of AVERAGE_POOL_2D and MAX_POOL_2D (<see cref="OperatorType.AveragePool2D"/>,
    /// <see cref="OperatorType.MaxPool2D"/>), int8 and int16; one input, one output.
    /// </summary>
    public static class Pool2DLayout
    {
        /// <summary>Stride along the height.</summary>
        public const int StrideHeight = 0;

        /// <summary>Stride along the width.</summary>
        public const int StrideWidth = 1;

        /// <summary>Filter height.</summary>
        public const int FilterHeight = 2;

        /// <summary>Filter width.</summary>
        public const int FilterWidth = 3;

        /// <summary>Rows of padding above the input.</summary>
        public const int PadTop = 4;

        /// <summary>Rows of padding below the input.</summary>
        public const int PadBottom = 5;

        /// <summary>Columns of padding left of the input.</summary>
        public const int PadLeft = 6;

        /// <summary>Columns of padding right of the input.</summary>
        public const int PadRight = 7;

        /// <summary>Lower end of the activation range.</summary>
        public const int ActivationMin = 8;

        /// <summary>Upper end of the activation range.</summary>
        public const int ActivationMax = 9;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 10;

        /// <summary>Largest stride, filter size and input size along an axis the device accepts (2^24).</summary>
        public const int MaxExtent = 0x1000000;
    }
}
