using System;

namespace NanoQuant
{
    /// <summary>
    /// TFLite Micro's int16 sigmoid and tanh (reference_integer_ops::Logistic and Tanh for int16, as
    /// the integer LSTM calls them): a 256-entry table of sigmoid(i / 24) in unsigned 0.16 fixed point,
    /// linearly interpolated on |x| and mirrored for negative x, with tanh(x) = 2·sigmoid(2x) − 1.
    /// Inputs are Q3.12 (scale 2^−12), outputs Q0.15 (scale 2^−15). Integer arithmetic only.
    /// </summary>
    public static class Int16Activations
    {
        // TFLM's sigmoid_table_uint16 (tensorflow/lite/kernels/internal/common.h): sigmoid(i / 24) × 2^16.
        // The values are TFLM's own (they differ by one from a plain rounding in a few entries), so the
        // results are bit-identical to it.
        private static readonly int[] SigmoidTable = new int[]
        {
            32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
            43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
            51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
            57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
            61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
            63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
            64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
            64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
            65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
            65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
            65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
            65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
            65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
            65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
            65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
            65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
        };

        /// <summary>
        /// A copy of the 256-entry sigmoid table (sigmoid(i / 24) in unsigned 0.16 fixed point), for the
        /// host, which hands it to the 16x8 LOGISTIC and TANH kernels as a model constant.
        /// </summary>
        public static int[] CopySigmoidTable()
        {
            int[] copy = new int[SigmoidTable.Length];
            Array.Copy(SigmoidTable, copy, SigmoidTable.Length);
            return copy;
        }

        /// <summary>
        /// Sigmoid of a Q3.12 value (TFLM's int16 Logistic with input multiplier 0 and shift 0, i.e. the
        /// power-of-two case: x × 3, then |x| / 2^9 indexes the table). Result in Q0.15, within [0, 32767].
        /// </summary>
        public static int Sigmoid(int x)
        {
            int scaled = x * 3;
            int magnitude = scaled < 0 ? -scaled : scaled;
            int high = magnitude >> 9;
            int result;
            if (high >= 255)
            {
                result = 0x7FFF << 10;
            }
            else
            {
                int low = SigmoidTable[high];
                result = (low << 9) + ((magnitude & 0x1FF) * (SigmoidTable[high + 1] - low));
            }

            // All values stay below 2^26, so the unsigned arithmetic of TFLM fits an int here.
            result = scaled >= 0 ? result + (1 << 9) : (1 << 25) - result + (1 << 9) - 1;
            return result >> 10;
        }

        /// <summary>
        /// Tanh of an int16 value brought to TFLM's tanh input domain by (x × <paramref name="multiplier"/>
        /// + rounding) / 2^<paramref name="shift"/>: for a Q3.12 gate value multiplier 3 and shift 0; for a
        /// cell state of scale 2^p see <c>LstmLowering</c>. Result in Q0.15, within [−32767, 32767].
        /// The caller guarantees |x| × multiplier + 2^(shift−1) fits an int.
        /// </summary>
        public static int Tanh(int x, int multiplier, int shift)
        {
            int round = shift > 0 ? 1 << (shift - 1) : 0;
            int scaled = ((x * multiplier) + round) >> shift;
            int magnitude = scaled < 0 ? -scaled : scaled;
            int high = magnitude >> 8;
            int result;
            if (high >= 255)
            {
                result = 0xFFFF << 8;
            }
            else
            {
                int low = SigmoidTable[high];
                result = (low << 8) + ((magnitude & 0xFF) * (SigmoidTable[high + 1] - low));
            }

            result = scaled >= 0
                ? result - (1 << 23) + (1 << 7)
                : -result + (1 << 23) + (1 << 7) - 1;
            return result >> 8;
        }
    }
}
