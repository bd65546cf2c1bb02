using System;
using System.IO;
using NanoQuant;

namespace NanoQuant.Samples
{
    /// <summary>
    /// The body of the board samples: puts the bundled model on the board's storage if it is not
    /// there yet, loads it from the file (streaming the weights when the model would not fit in free
    /// RAM), runs it on each bundled input sample and prints input and output (int8 and dequantized),
    /// the inference time, the speed against a plain dot-product loop, and free memory.
    /// </summary>
    public static class ModelDemo
    {
        /// <summary>
        /// Runs the demo. <paramref name="modelPath"/> is a file on I:\ (internal flash) or D:\ (SD card);
        /// <paramref name="bundledInput"/> holds one or more int8 input samples back to back.
        /// </summary>
        public static void Run(string boardName, string modelPath, byte[] bundledModel, byte[] bundledInput, int runs)
        {
            Console.WriteLine("nanoQuant sample on " + boardName);
            Console.WriteLine("free managed memory at start: " + FreeMemory().ToString() + " bytes");

            InstallModel(modelPath, bundledModel);

            // Stream the weights from the file when copying them to RAM would leave less than a
            // quarter of the free heap (the arena and tables are allocated in both modes).
            long fileBytes = FileLength(modelPath);
            ModelLoadMode mode = fileBytes * 4 > FreeMemory() * 3 ? ModelLoadMode.StreamWeights : ModelLoadMode.CopyToRam;
            Console.WriteLine("loading " + modelPath + " (" + fileBytes.ToString() + " bytes) "
                + (mode == ModelLoadMode.StreamWeights ? "streaming weights from storage" : "into RAM"));

            long loadStart = DateTime.UtcNow.Ticks;
            using (Interpreter interpreter = Interpreter.FromFile(modelPath, mode))
            {
                long loadTicks = DateTime.UtcNow.Ticks - loadStart;
                Console.WriteLine("loaded in " + (loadTicks / TimeSpan.TicksPerMillisecond).ToString() + " ms: "
                    + interpreter.OperatorCount.ToString() + " operators, arena " + interpreter.ArenaBytes.ToString()
                    + " bytes, int8 weights in RAM " + interpreter.ConstantPoolBytes.ToString()
                    + " bytes, weight buffer " + interpreter.WeightBufferBytes.ToString() + " bytes");
                Console.WriteLine("free managed memory after load: " + FreeMemory().ToString() + " bytes");

                Tensor input = interpreter.GetInput(0);
                Tensor output = interpreter.GetOutput(0);
                int samples = bundledInput.Length / input.Length;
                if (samples < 1)
                {
                    throw new InvalidOperationException("the bundled input has " + bundledInput.Length.ToString() + " bytes, the model needs " + input.Length.ToString());
                }

                // Every bundled sample (the sine model: x in [0, 2π), one byte each): the input and
                // output as the model sees them (int8) and dequantized (real = scale × (q − zero point)).
                sbyte[] values = new sbyte[input.Length];
                float[] inputReal = new float[input.Length];
                float[] outputReal = new float[output.Length];
                for (int s = 0; s < samples; s++)
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = (sbyte)bundledInput[(s * values.Length) + i];
                    }

                    // The input is described before Invoke: the arena may reuse its bytes for later tensors.
                    input.CopyFrom(values, 0);
                    input.Dequantize(inputReal);
                    string x = Describe("x", input, inputReal);
                    interpreter.Invoke();
                    output.Dequantize(outputReal);
                    Console.WriteLine(x + " -> " + Describe("y", output, outputReal));
                }

                // The first run above includes one-time costs; time the following ones (integer kernels
                // take the same time whatever the input bytes, which the arena may have overwritten).
                long start = DateTime.UtcNow.Ticks;
                for (int r = 0; r < runs; r++)
                {
                    interpreter.Invoke();
                }

                long ticks = DateTime.UtcNow.Ticks - start;
                long microseconds = ticks / runs / (TimeSpan.TicksPerMillisecond / 1000);

                Console.WriteLine("inference time: " + microseconds.ToString() + " us (average of " + runs.ToString() + " runs, "
                    + interpreter.MacCount.ToString() + " MACs)");
                long macs = interpreter.MacCount;
                if (macs > 0 && microseconds > 0)
                {
                    long modelRate = macs * 1000000 / microseconds;
                    long baseline = DotProductBaseline.MacsPerSecond((int)(macs * runs > int.MaxValue ? int.MaxValue : macs * runs));
                    Console.WriteLine("model: " + modelRate.ToString() + " MAC/s; plain unrolled int8 dot product: " + baseline.ToString()
                        + " MAC/s; ratio " + (baseline > 0 ? (modelRate * 100 / baseline).ToString() : "?") + "%");
                }

                Console.WriteLine("free managed memory: " + FreeMemory().ToString() + " bytes");
            }
        }

        /// <summary>
        /// One tensor as "x = 0.3938 (int8 -112)" when it holds one value, otherwise its first
        /// values, its length and (for outputs of several values, e.g. class scores) the largest one.
        /// </summary>
        private static string Describe(string name, Tensor tensor, float[] real)
        {
            if (tensor.Length == 1)
            {
                return name + " = " + real[0].ToString("F4") + " (int8 " + tensor.GetInt8(0).ToString() + ")";
            }

            string text = name + " = [";
            int best = 0;
            for (int i = 0; i < tensor.Length; i++)
            {
                if (i < 4)
                {
                    text += (i > 0 ? " " : "") + real[i].ToString("F4");
                }

                if (tensor.GetInt8(i) > tensor.GetInt8(best))
                {
                    best = i;
                }
            }

            return text + (tensor.Length > 4 ? " ...]" : "]") + " (" + tensor.Length.ToString() + " values, largest at "
                + best.ToString() + ": " + real[best].ToString("F4") + ")";
        }

        /// <summary>
        /// Writes the bundled model to <paramref name="path"/> unless the file already holds it: same
        /// length and same header (which carries the model's CRC-32), so another model is replaced.
        /// </summary>
        private static void InstallModel(string path, byte[] model)
        {
            if (File.Exists(path) && SameHeader(path, model))
            {
                return;
            }

            Console.WriteLine("writing the bundled model to " + path);
            File.WriteAllBytes(path, model);
        }

        private static bool SameHeader(string path, byte[] model)
        {
            using (FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read))
            {
                if (stream.Length != model.Length)
                {
                    return false;
                }

                int count = model.Length < NanoQuant.Format.ModelFormat.HeaderSize ? model.Length : NanoQuant.Format.ModelFormat.HeaderSize;
                byte[] header = new byte[count];
                int read = 0;
                while (read < count)
                {
                    int n = stream.Read(header, read, count - read);
                    if (n <= 0)
                    {
                        return false;
                    }

                    read += n;
                }

                for (int i = 0; i < count; i++)
                {
                    if (header[i] != model[i])
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        private static long FileLength(string path)
        {
            using (FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read))
            {
                return stream.Length;
            }
        }

        /// <summary>Free managed heap after a full garbage collection.</summary>
        public static long FreeMemory()
        {
            return nanoFramework.Runtime.Native.GC.Run(false);
        }
    }
}
