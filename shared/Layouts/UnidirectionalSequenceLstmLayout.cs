namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of UNIDIRECTIONAL_SEQUENCE_LSTM (<see cref="OperatorType.UnidirectionalSequenceLstm"/>),
    /// TFLM's integer LSTM: four gates (input, forget, cell, output) in that order wherever a slot or a
    /// parameter block is per gate.
    /// </summary>
    public static class UnidirectionalSequenceLstmLayout
    {
        /// <summary>Number of gates.</summary>
        public const int GateCount = 4;

        /// <summary>Gate index of the input gate.</summary>
        public const int InputGate = 0;

        /// <summary>Gate index of the forget gate.</summary>
        public const int ForgetGate = 1;

        /// <summary>Gate index of the cell gate (activated with tanh; the others with the sigmoid).</summary>
        public const int CellGate = 2;

        /// <summary>Gate index of the output gate.</summary>
        public const int OutputGate = 3;

        /// <summary>Input slot of the sequence, int8 [batch, time, depth] (or time-major).</summary>
        public const int InputSlot = 0;

        /// <summary>Input slot of gate g's input weights at <c>InputWeightsSlot + g</c> (int8 [units, depth]).</summary>
        public const int InputWeightsSlot = 1;

        /// <summary>Input slot of gate g's recurrent weights at <c>RecurrentWeightsSlot + g</c> (int8 [units, units]).</summary>
        public const int RecurrentWeightsSlot = 5;

        /// <summary>Input slot of gate g's input FC bias at <c>InputBiasSlot + g</c> (int32, input zero point folded in).</summary>
        public const int InputBiasSlot = 9;

        /// <summary>Input slot of gate g's recurrent FC bias at <c>RecurrentBiasSlot + g</c> (int32: − hidden zp × Σ recurrent weights).</summary>
        public const int RecurrentBiasSlot = 13;

        /// <summary>Input slot of the hidden state (int8, variable).</summary>
        public const int HiddenStateSlot = 17;

        /// <summary>Input slot of the cell state (int16, variable).</summary>
        public const int CellStateSlot = 18;

        /// <summary>Number of inputs.</summary>
        public const int InputCount = 19;

        /// <summary>Parameter: 1 when the input is time-major, else 0.</summary>
        public const int TimeMajor = 0;

        /// <summary>First parameter of gate g's block at <c>GateParameters + GateParameterCount × g</c>.</summary>
        public const int GateParameters = 1;

        /// <summary>Parameters per gate block.</summary>
        public const int GateParameterCount = 4;

        /// <summary>Within a gate block: the input FC's multiplier.</summary>
        public const int GateInputMultiplier = 0;

        /// <summary>Within a gate block: the input FC's shift.</summary>
        public const int GateInputShift = 1;

        /// <summary>Within a gate block: the recurrent FC's multiplier.</summary>
        public const int GateRecurrentMultiplier = 2;

        /// <summary>Within a gate block: the recurrent FC's shift.</summary>
        public const int GateRecurrentShift = 3;

        /// <summary>forget × cell multiplier.</summary>
        public const int ForgetMultiplier = 17;

        /// <summary>forget × cell shift.</summary>
        public const int ForgetShift = 18;

        /// <summary>input × cell gate multiplier.</summary>
        public const int CellUpdateMultiplier = 19;

        /// <summary>input × cell gate shift.</summary>
        public const int CellUpdateShift = 20;

        /// <summary>tanh(cell) × output → hidden multiplier.</summary>
        public const int HiddenMultiplier = 21;

        /// <summary>tanh(cell) × output → hidden shift.</summary>
        public const int HiddenShift = 22;

        /// <summary>Hidden state zero point.</summary>
        public const int HiddenZeroPoint = 23;

        /// <summary>Quantized cell clip (−1: none, else 0 … 32767).</summary>
        public const int CellClip = 24;

        /// <summary>Multiplier bringing the cell state to tanh's input domain.</summary>
        public const int CellTanhMultiplier = 25;

        /// <summary>Right shift bringing the cell state to tanh's input domain.</summary>
        public const int CellTanhShift = 26;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 27;
    }
}
