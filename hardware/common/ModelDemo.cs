using System;
using System.IO;
using NanoQuant;

namespace NanoQuant.Samples
{
    /// <summary>
    /// The body of the board samples: puts the bundled model on the board's storage if it is not
    /// there yet, loads it from the file (streaming the weights when the model would not fit in free
    /// RAM), runs it on the bundled input and prints the outputs, the inference time and free memory.
    /// </summary>
    public static class ModelDemo
    {
        /// <summary>Runs the demo. <paramref name="modelPath"/> is a file on I:\ (internal flash) or D:\ (SD card).</summary>
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
                if (bundledInput.Length < input.Length)
                {
                    throw new InvalidOperationException("the bundled input has " + bundledInput.Length.ToString() + " bytes, the model needs " + input.Length.ToString());
                }

                sbyte[] values = new sbyte[input.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (sbyte)bundledInput[i];
                }

                input.CopyFrom(values, 0);

                // The first run includes one-time costs; report the average of the following ones.
                interpreter.Invoke();
                long start = DateTime.UtcNow.Ticks;
                for (int r = 0; r < runs; r++)
                {
                    interpreter.Invoke();
                }

                long ticks = DateTime.UtcNow.Ticks - start;
                long microseconds = ticks / runs / (TimeSpan.TicksPerMillisecond / 1000);

                Tensor output = interpreter.GetOutput(0);
                string text = "output (int8):";
                int best = 0;
                for (int i = 0; i < output.Length; i++)
                {
                    sbyte v = output.GetInt8(i);
                    if (i < 16)
                    {
                        text += " " + v.ToString();
                    }

                    if (v > output.GetInt8(best))
                    {
                        best = i;
                    }
                }

                Console.WriteLine(text + (output.Length > 16 ? " ..." : ""));
                float[] real = new float[output.Length];
                output.Dequantize(real);
                Console.WriteLine("largest output: index " + best.ToString() + " = " + real[best].ToString("F4"));
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

        /// <summary>Writes the bundled model to <paramref name="path"/> unless the file already holds a model of that size.</summary>
        private static void InstallModel(string path, byte[] model)
        {
            if (File.Exists(path) && FileLength(path) == model.Length)
            {
                return;
            }

            Console.WriteLine("writing the bundled model to " + path);
            File.WriteAllBytes(path, model);
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
            return nanoFramework.Runtime.Native.GC.Run(true);
        }
    }
}
