using System;
using System.IO;
using System.Reflection;
using System.Resources;
using nanoFramework.Runtime.Native;
using NanoQuant.Samples;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// The nanoCLR side of <c>nanoquant run/bench --runtime nanoclr</c> and of the nanoCLR checks in CI.
    /// It reads its jobs from the run-data assembly (<c>NanoQuantRunData</c>, made by the host for each
    /// run: a "config" text resource plus one binary resource per model and per job's inputs), runs
    /// each job on the device runtime and prints what it computed as <c>nq:</c> lines, which the host
    /// parses (<c>host/NanoQuant.Host/NanoClr/NanoClrProtocol.cs</c>). nanoCLR's exit code is 0 whatever
    /// the program does, so the last line is always <c>nq:done</c>; a job that throws prints
    /// <c>nq:error</c> and the next job still runs.
    /// </summary>
    public static class Program
    {
        private const string Hex = "0123456789abcdef";

        // What the current job is doing, for its error line.
        private static string _stage = string.Empty;

        /// <summary>Runs every job of the run-data assembly.</summary>
        public static void Main()
        {
            try
            {
                ResourceManager resources = new ResourceManager("NanoQuantRunData.Resources", Assembly.Load("NanoQuantRunData"));
                // The configuration is ASCII text stored as bytes (MetadataProcessor mangles string resources of 16 K characters or more).
                byte[] bytes = (byte[])ResourceUtility.GetObject(resources, (ResourceId)ParseId("config"));
                char[] chars = new char[bytes.Length];
                for (int i = 0; i < bytes.Length; i++)
                {
                    chars[i] = (char)bytes[i];
                }

                string config = new string(chars);
                string[] lines = config.Split('\n');
                for (int j = 0; j < lines.Length; j++)
                {
                    if (lines[j].Length > 0)
                    {
                        RunLine(resources, lines[j]);
                    }
                }
            }
            catch (Exception e)
            {
                Console.WriteLine("nq:error - " + Describe(e));
            }

            Console.WriteLine("nq:done");
        }

        private static void RunLine(ResourceManager resources, string line)
        {
            // job=K model=ID modelBytes=N inputs=ID samples=S inputBytes=B (of one sample, all inputs) mode=ram|stream|stream-weights|resource-weights
            //   runs=R memory=0|1 outputs=0|1 maxArray=BYTES (the largest array to allocate; a larger arena is split)
            string job = Field(line, "job");
            _stage = "starting";
            try
            {
                if (job == "baseline")
                {
                    int macs = int.Parse(Field(line, "macs"));
                    Console.WriteLine("nq:baseline macsPerSecond=" + DotProductBaseline.MacsPerSecond(macs).ToString());
                    return;
                }

                RunJob(resources, job, line);
            }
            catch (Exception e)
            {
                Console.WriteLine("nq:error " + job + " " + _stage + ": " + Describe(e));
            }
        }

        private static void RunJob(ResourceManager resources, string job, string line)
        {
            ResourceId modelId = (ResourceId)ParseId(Field(line, "model"));
            int modelBytes = int.Parse(Field(line, "modelBytes"));
            string mode = Field(line, "mode");
            int samples = int.Parse(Field(line, "samples"));
            int inputBytes = int.Parse(Field(line, "inputBytes"));
            int runs = int.Parse(Field(line, "runs"));
            bool memory = Field(line, "memory") == "1";
            bool printOutputs = Field(line, "outputs") == "1";
            int maxArray = int.Parse(Field(line, "maxArray"));

            // resetEvery=K: variable (state) tensors back to their reset value before every K-th sample
            // (independent cases of a stateful model, e.g. golden cases of an LSTM); absent: state carries.
            string resetField = OptionalField(line, "resetEvery");
            int resetEvery = resetField == null ? 0 : int.Parse(resetField);

            // What the program itself holds is allocated before the first free-memory figure, so the
            // figures count only what the interpreter allocates: the model array (which on a board would
            // be a resource or a file) and the inputs are not counted.
            _stage = "reading the inputs";
            byte[] inputData = inputBytes * samples > 0 ? (byte[])ResourceUtility.GetObject(resources, (ResourceId)ParseId(Field(line, "inputs"))) : new byte[0];
            if (inputData == null || inputData.Length != inputBytes * samples)
            {
                throw new IOException("input resource missing or of the wrong size");
            }

            _stage = "reading the model";
            byte[] modelArray = null;
            Stream stream;
            if (mode == "resource-weights")
            {
                stream = new ResourceModelStream(resources, modelId, modelBytes);
            }
            else
            {
                modelArray = (byte[])ResourceUtility.GetObject(resources, modelId);
                if (modelArray == null || modelArray.Length != modelBytes)
                {
                    throw new IOException("model resource missing or of the wrong size");
                }

                stream = mode == "ram" ? null : new ByteArrayStream(modelArray);
            }

            _stage = "measuring free memory";
            long freeBefore = memory ? FreeMemory() : 0;
            _stage = "loading the model";
            long start = DateTime.UtcNow.Ticks;
            Interpreter interpreter;
            if (mode == "ram")
            {
                interpreter = new Interpreter(modelArray, Interpreter.DefaultMaxArenaBytes, maxArray);
            }
            else
            {
                interpreter = new Interpreter(stream, mode == "stream" ? ModelLoadMode.CopyToRam : ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, maxArray);
            }

            long loadTicks = DateTime.UtcNow.Ticks - start;
            long freeAfterLoad = memory ? FreeMemory() : 0;
            if (OptionalField(line, "backend") == "native")
            {
                // NanoQuant.Native is loaded by name (the runner does not reference it); a native run on
                // firmware without the native part fails here rather than running managed unnoticed.
                if (!interpreter.UseNativeKernels())
                {
                    throw new NotSupportedException("native kernels requested, but this nanoCLR has no NanoQuant.Native native part");
                }
            }

            Console.WriteLine("nq:load " + job + " ticks=" + loadTicks.ToString() + " arena=" + interpreter.ArenaBytes.ToString()
                + " operators=" + interpreter.OperatorCount.ToString() + " macs=" + interpreter.MacCount.ToString()
                + " freeBefore=" + freeBefore.ToString() + " freeAfterLoad=" + freeAfterLoad.ToString()
                + " backend=" + interpreter.Backend + " nativeOperators=" + interpreter.NativeOperatorCount.ToString());

            _stage = "running the samples";

            // Every sample: inputs from the job's input resource (all samples of input 0, then of input 1, ...), each
            // tensor's raw bytes (int16 elements as little-endian byte pairs, as the tensor holds them) written
            // straight into its place in the arena; outputs sent back the same way.
            long firstTicks = 0;
            long sampleTicks = 0;
            for (int s = 0; s < samples; s++)
            {
                int inputOffset = 0;
                for (int i = 0; i < interpreter.InputCount; i++)
                {
                    Tensor input = interpreter.GetInput(i);
                    int bytes = ByteLength(input);
                    int from = (inputOffset * samples) + (s * bytes);
                    sbyte[] data = input.Data;
                    int to = input.Offset;
                    for (int k = 0; k < bytes; k++)
                    {
                        data[to + k] = (sbyte)inputData[from + k];
                    }

                    inputOffset += bytes;
                }

                if (resetEvery > 0 && (s % resetEvery) == 0)
                {
                    interpreter.ResetState();
                }

                long invokeStart = DateTime.UtcNow.Ticks;
                interpreter.Invoke();
                long invokeTicks = DateTime.UtcNow.Ticks - invokeStart;
                sampleTicks += invokeTicks;
                if (s == 0)
                {
                    firstTicks = invokeTicks;
                }

                if (printOutputs)
                {
                    for (int o = 0; o < interpreter.OutputCount; o++)
                    {
                        Tensor output = interpreter.GetOutput(o);
                        PrintBytes(job, s, o, output.Data, output.Offset, ByteLength(output));
                    }
                }
            }

            long freeAfterSamples = memory ? FreeMemory() : 0;
            Console.WriteLine("nq:samples " + job + " samples=" + samples.ToString() + " ticks=" + sampleTicks.ToString() + " first=" + firstTicks.ToString()
                + " freeAfterSamples=" + freeAfterSamples.ToString());

            // Timed runs after the samples; free memory around them shows whether Invoke keeps anything.
            // memoryEvery=K (with memory=1): free memory also after every K-th run (nq:free lines; the time then includes those collections).
            string everyField = OptionalField(line, "memoryEvery");
            int memoryEvery = everyField == null || !memory ? 0 : int.Parse(everyField);
            if (runs > 0)
            {
                long freeBeforeRuns = memory ? FreeMemory() : 0;
                long runStart = DateTime.UtcNow.Ticks;
                for (int r = 0; r < runs; r++)
                {
                    interpreter.Invoke();
                    if (memoryEvery > 0 && ((r + 1) % memoryEvery) == 0)
                    {
                        // Measured before the line's strings exist, so they are not counted.
                        long free = FreeMemory();
                        Console.WriteLine("nq:free " + job + " runs=" + (r + 1).ToString() + " free=" + free.ToString());
                    }
                }

                long runTicks = DateTime.UtcNow.Ticks - runStart;
                long freeAfterRuns = memory ? FreeMemory() : 0;
                Console.WriteLine("nq:time " + job + " runs=" + runs.ToString() + " ticks=" + runTicks.ToString()
                    + " freeBeforeRuns=" + freeBeforeRuns.ToString() + " freeAfterRuns=" + freeAfterRuns.ToString());
            }

            // rounds=K: K more rounds of the timed runs, each followed by the dot loop; perOp=1: each operator timed.
            string roundsField = OptionalField(line, "rounds");
            if (roundsField != null && runs > 0)
            {
                _stage = "timing rounds";
                RoundTiming.Rounds(interpreter, job, runs, int.Parse(roundsField));
            }

            if (OptionalField(line, "perOp") == "1" && runs > 0)
            {
                _stage = "timing each operator";
                RoundTiming.Operators(interpreter, job, runs);
            }

            interpreter.Dispose();
            if (stream != null)
            {
                stream.Dispose();
            }

            Console.WriteLine("nq:end " + job);
        }

        /// <summary>Bytes of an input or output tensor: int8 one per element, int16 two (the only activation types the runtime has).</summary>
        private static int ByteLength(Tensor tensor)
        {
            if (tensor.Type == NanoQuant.Format.TensorType.Int8)
            {
                return tensor.Length;
            }

            if (tensor.Type == NanoQuant.Format.TensorType.Int16)
            {
                return 2 * tensor.Length;
            }

            throw new NotSupportedException("input/output tensor of type " + ((int)tensor.Type).ToString());
        }

        private static void PrintBytes(string job, int sample, int output, sbyte[] data, int offset, int length)
        {
            const int PerLine = 256;
            char[] text = new char[PerLine * 2];
            int part = 0;
            for (int start = 0; start < length || (start == 0 && length == 0); start += PerLine)
            {
                int n = Math.Min(PerLine, length - start);
                for (int k = 0; k < n; k++)
                {
                    int b = (byte)data[offset + start + k];
                    text[2 * k] = Hex[b >> 4];
                    text[(2 * k) + 1] = Hex[b & 15];
                }

                Console.WriteLine("nq:out " + job + " " + sample.ToString() + " " + output.ToString() + " " + part.ToString() + " " + new string(text, 0, 2 * n));
                part++;
                if (length == 0)
                {
                    break;
                }
            }
        }

        private static string OptionalField(string line, string key)
        {
            string[] parts = line.Split(' ');
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                if (part.Length > key.Length && part[key.Length] == '=' && part.Substring(0, key.Length) == key)
                {
                    return part.Substring(key.Length + 1);
                }
            }

            return null;
        }

        private static string Field(string line, string key)
        {
            string[] parts = line.Split(' ');
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                if (part.Length > key.Length && part[key.Length] == '=' && part.Substring(0, key.Length) == key)
                {
                    return part.Substring(key.Length + 1);
                }
            }

            throw new ArgumentException("configuration line lacks " + key);
        }

        /// <summary>The resource id MetadataProcessor gives <paramref name="name"/> when it is not a number.</summary>
        private static short ParseId(string name)
        {
            if (name.Length > 0 && (name[0] == '-' || (name[0] >= '0' && name[0] <= '9')))
            {
                return (short)int.Parse(name);
            }

            int hash1 = (5381 << 16) + 5381;
            int hash2 = hash1;
            for (int i = 0; i < name.Length; ++i)
            {
                char c = name[i];
                if (i % 2 == 0)
                {
                    hash1 = ((hash1 << 5) + hash1) ^ c;
                }
                else
                {
                    hash2 = ((hash2 << 5) + hash2) ^ c;
                }
            }

            int hash = hash1 + (hash2 * 1566083941);
            return (short)((short)(hash >> 16) ^ (short)hash);
        }

        private static long FreeMemory()
        {
            return nanoFramework.Runtime.Native.GC.Run(false);
        }

        private static string Describe(Exception e)
        {
            char[] message = (e.Message == null ? string.Empty : e.Message).ToCharArray();
            for (int i = 0; i < message.Length; i++)
            {
                if (message[i] == '\n' || message[i] == '\r')
                {
                    message[i] = ' ';
                }
            }

            return e.GetType().FullName + ": " + new string(message);
        }
    }
}
