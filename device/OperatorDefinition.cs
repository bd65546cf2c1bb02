using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>An operator record as read from a device model, before its kernel checks it.</summary>
    internal sealed class OperatorDefinition
    {
        internal readonly int Index;
        internal readonly OperatorType Type;
        internal readonly int[] Inputs;
        internal readonly int[] Outputs;
        internal readonly int[] Parameters;

        internal OperatorDefinition(int index, OperatorType type, int[] inputs, int[] outputs, int[] parameters)
        {
            Index = index;
            Type = type;
            Inputs = inputs;
            Outputs = outputs;
            Parameters = parameters;
        }

        /// <summary>"operator 3 (Conv2D)": how error messages name this operator.</summary>
        internal string Name
        {
            get { return "operator " + Index.ToString() + " (" + OperatorNames.Get(Type) + ")"; }
        }
    }
}
