#nullable disable

using System.IO;
using NanoQuant;

namespace NanoQuant.Device.NfTests
{
    /// <summary>
    /// The checks the nanoFramework test project runs on the device (or in nanoclr), written in
    /// nanoFramework C# so the very same file also compiles into the desktop test project
    /// (tests/NanoQuant.Tests, GoldenResourceTests), which runs it on the same embedded files.
    /// Each check returns null when it passes, or a message saying what differs.
    /// </summary>
    public static class GoldenChecks
    {
        /// <summary>
        /// Runs every case of <paramref name="inputs"/> (int8 input bytes, one case after another)
        /// through a model and compares the int8 output bytes with <paramref name="expected"/>.
        /// </summary>
        public static string RunCases(Interpreter interpreter, byte[] inputs, byte[] expected)
        {
            Tensor input = interpreter.GetInput(0);
            Tensor output = interpreter.GetOutput(0);
            int inLength = input.Length;
            int outLength = output.Length;
            if (inLength == 0 || inputs.Length % inLength != 0)
            {
                return "input data holds " + inputs.Length.ToString() + " bytes, not a multiple of the input length " + inLength.ToString();
            }

            int cases = inputs.Length / inLength;
            if (expected.Length != cases * outLength)
            {
                return "expected data holds " + expected.Length.ToString() + " bytes, not " + cases.ToString() + " x " + outLength.ToString();
            }

            sbyte[] inCase = new sbyte[inLength];
            sbyte[] outCase = new sbyte[outLength];
            for (int c = 0; c < cases; c++)
            {
                for (int i = 0; i < inLength; i++)
                {
                    inCase[i] = (sbyte)inputs[(c * inLength) + i];
                }

                input.CopyFrom(inCase, 0);
                interpreter.Invoke();
                output.CopyTo(outCase, 0);
                for (int o = 0; o < outLength; o++)
                {
                    sbyte want = (sbyte)expected[(c * outLength) + o];
                    if (outCase[o] != want)
                    {
                        return "case " + c.ToString() + " output " + o.ToString() + ": expected " + want.ToString() + ", got " + outCase[o].ToString();
                    }
                }
            }

            return null;
        }

        /// <summary>The model loaded from a byte array (as from a managed resource) matches the expected outputs.</summary>
        public static string InRam(byte[] model, byte[] inputs, byte[] expected)
        {
            using (Interpreter interpreter = new Interpreter(model))
            {
                return RunCases(interpreter, inputs, expected);
            }
        }

        /// <summary>
        /// The model loaded from a stream — constants copied to RAM, or int8 weights streamed one
        /// operator at a time — matches the expected outputs.
        /// </summary>
        public static string FromStream(byte[] model, byte[] inputs, byte[] expected, ModelLoadMode mode)
        {
            using (MemoryStream stream = new MemoryStream(model, false))
            {
                using (Interpreter interpreter = new Interpreter(stream, mode, Interpreter.DefaultMaxArenaBytes))
                {
                    if (interpreter.IsStreamingWeights != (mode == ModelLoadMode.StreamWeights))
                    {
                        return "IsStreamingWeights is wrong";
                    }

                    return RunCases(interpreter, inputs, expected);
                }
            }
        }

        /// <summary>Spot values of the TFLite fixed-point helpers (int and long arithmetic as nanoCLR runs it).</summary>
        public static string QuantizedMathSpotValues()
        {
            if (QuantizedMath.SaturatingRoundingDoublingHighMul(int.MaxValue, 1073741824) != 1073741824)
            {
                return "SaturatingRoundingDoublingHighMul(int.MaxValue, 2^30)";
            }

            if (QuantizedMath.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue) != int.MaxValue)
            {
                return "SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue)";
            }

            if (QuantizedMath.RoundingDivideByPot(5, 1) != 3 || QuantizedMath.RoundingDivideByPot(-5, 1) != -3)
            {
                return "RoundingDivideByPot(±5, 1)";
            }

            if (QuantizedMath.MultiplyByQuantizedMultiplier(100, 1073741824, 0) != 50 || QuantizedMath.MultiplyByQuantizedMultiplier(-7, 1518500250, 2) != -20)
            {
                return "MultiplyByQuantizedMultiplier";
            }

            return null;
        }

        /// <summary>A model with one byte changed is refused with InvalidModelException (checksum).</summary>
        public static string CorruptedModelIsRefused(byte[] model)
        {
            byte[] corrupted = new byte[model.Length];
            System.Array.Copy(model, corrupted, model.Length);
            corrupted[model.Length - 1] = (byte)(corrupted[model.Length - 1] ^ 0x01);
            try
            {
                new Interpreter(corrupted).Dispose();
            }
            catch (InvalidModelException)
            {
                return null;
            }

            return "a corrupted model was accepted";
        }
    }
}
