namespace NanoQuant
{
    /// <summary>
    /// The iteration plan of a binary elementwise operator with numpy-style broadcasting (TFLite's
    /// rules: shapes aligned at the last axis, missing leading axes read as 1, each input axis equal to
    /// the output's or 1, the output exactly the broadcast shape). Built and checked once at load.
    /// Output axes of size 1 are dropped and neighbouring axes that broadcast the same way are merged,
    /// so the common cases become one flat loop (<see cref="IsElementwise"/>) or one inner loop over
    /// the last merged axis with input steps of 0 or 1, driven by an odometer over at most five outer
    /// axes. The output is always written contiguously, <see cref="InnerCount"/> elements per outer step.
    /// </summary>
    internal sealed partial class Broadcast
    {
        /// <summary>True when both inputs have the output's elements in order: a single flat loop of <see cref="ElementCount"/>.</summary>
        internal readonly bool IsElementwise;

        /// <summary>Number of output elements.</summary>
        internal readonly int ElementCount;

        /// <summary>Number of inner loops (product of the outer axes).</summary>
        internal readonly int OuterCount;

        /// <summary>Length of the inner loop (the last merged axis).</summary>
        internal readonly int InnerCount;

        /// <summary>Step of input 1 in the inner loop: 1, or 0 when it is broadcast along that axis.</summary>
        internal readonly int InnerStep1;

        /// <summary>Step of input 2 in the inner loop: 1, or 0 when it is broadcast along that axis.</summary>
        internal readonly int InnerStep2;

        /// <summary>Element offset into input 1 of the current inner loop (relative to the tensor start).</summary>
        internal int Offset1;

        /// <summary>Element offset into input 2 of the current inner loop (relative to the tensor start).</summary>
        internal int Offset2;

        private readonly int _outerRank;
        private readonly int[] _counts;
        private readonly int[] _stride1;
        private readonly int[] _stride2;
        private readonly int[] _rewind1;
        private readonly int[] _rewind2;
        private readonly int[] _index;

        /// <summary>Checks the three shapes against the broadcasting rules and plans the loops.</summary>
        internal Broadcast(OperatorDefinition op, Tensor input1, Tensor input2, Tensor output)
        {
            int rank = output.shape.Length;
            Check.That(input1.shape.Length <= rank && input2.shape.Length <= rank, op, "an input has a higher rank than the output");

            // Merged axes, outermost first: size and whether each input advances along it.
            int[] sizes = new int[rank + 1];
            bool[] moves1 = new bool[rank + 1];
            bool[] moves2 = new bool[rank + 1];
            int merged = 0;
            for (int axis = 0; axis < rank; axis++)
            {
                int d1 = Dimension(input1, axis, rank);
                int d2 = Dimension(input2, axis, rank);
                int d = output.shape[axis];
                int expected = d1 == 1 ? d2 : d1;
                Check.That((d1 == d2 || d1 == 1 || d2 == 1) && d == expected, op,
                    "shapes do not broadcast: axis " + axis.ToString() + " has sizes " + d1.ToString() + " and " + d2.ToString() + " into " + d.ToString());
                if (d == 1)
                {
                    continue;
                }

                bool m1 = d1 != 1;
                bool m2 = d2 != 1;
                if (merged > 0 && moves1[merged - 1] == m1 && moves2[merged - 1] == m2)
                {
                    sizes[merged - 1] *= d;
                }
                else
                {
                    sizes[merged] = d;
                    moves1[merged] = m1;
                    moves2[merged] = m2;
                    merged++;
                }
            }

            if (merged == 0)
            {
                sizes[0] = 1;
                moves1[0] = true;
                moves2[0] = true;
                merged = 1;
            }

            ElementCount = output.elementCount;
            IsElementwise = merged == 1 && moves1[0] && moves2[0];
            InnerCount = sizes[merged - 1];
            InnerStep1 = moves1[merged - 1] ? 1 : 0;
            InnerStep2 = moves2[merged - 1] ? 1 : 0;
            _outerRank = merged - 1;
            _counts = new int[_outerRank];
            _stride1 = new int[_outerRank];
            _stride2 = new int[_outerRank];
            _rewind1 = new int[_outerRank];
            _rewind2 = new int[_outerRank];
            _index = new int[_outerRank];
            int accumulated1 = moves1[merged - 1] ? InnerCount : 1;
            int accumulated2 = moves2[merged - 1] ? InnerCount : 1;
            int outer = 1;
            for (int a = _outerRank - 1; a >= 0; a--)
            {
                _counts[a] = sizes[a];
                _stride1[a] = moves1[a] ? accumulated1 : 0;
                _stride2[a] = moves2[a] ? accumulated2 : 0;
                _rewind1[a] = _stride1[a] * sizes[a];
                _rewind2[a] = _stride2[a] * sizes[a];
                accumulated1 *= moves1[a] ? sizes[a] : 1;
                accumulated2 *= moves2[a] ? sizes[a] : 1;
                outer *= sizes[a];
            }

            OuterCount = outer;
            Check.That(accumulated1 == input1.elementCount && accumulated2 == input2.elementCount, op, "input sizes do not match their broadcast shapes");
        }

        /// <summary>Positions <see cref="Offset1"/> and <see cref="Offset2"/> at the first inner loop.</summary>
        internal void Start()
        {
            Offset1 = 0;
            Offset2 = 0;
            int[] index = _index;
            for (int a = 0; a < index.Length; a++)
            {
                index[a] = 0;
            }
        }

        /// <summary>Moves <see cref="Offset1"/> and <see cref="Offset2"/> to the next inner loop.</summary>
        internal void Advance()
        {
            int[] index = _index;
            int a = _outerRank - 1;
            while (a >= 0)
            {
                Offset1 += _stride1[a];
                Offset2 += _stride2[a];
                if (++index[a] < _counts[a])
                {
                    return;
                }

                index[a] = 0;
                Offset1 -= _rewind1[a];
                Offset2 -= _rewind2[a];
                a--;
            }
        }

        private static int Dimension(Tensor t, int axis, int rank)
        {
            int inputAxis = axis - (rank - t.shape.Length);
            return inputAxis < 0 ? 1 : t.shape[inputAxis];
        }
    }
}
