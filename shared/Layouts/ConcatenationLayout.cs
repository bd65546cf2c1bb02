namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of CONCATENATION (<see cref="OperatorType.Concatenation"/>): the inputs in order (slots 0 …
    /// n − 1, all with the output's quantization), one output.
    /// </summary>
    public static class ConcatenationLayout
    {
        /// <summary>The axis joined along, in [0, rank − 1].</summary>
        public const int Axis = 0;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 1;
    }
}
