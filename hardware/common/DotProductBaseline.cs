using System;

namespace NanoQuant.Samples
{
    /// <summary>
    /// The yardstick for the runtime's speed on nanoCLR: a plain int8 dot product, unrolled by four,
    /// over flat arrays — the fastest multiply-accumulate loop the interpreter runs. The model's
    /// MAC/s divided by this loop's MAC/s shows how much the kernels lose to their bookkeeping
    /// (target: at least 0.8).
    /// </summary>
    public static class DotProductBaseline
    {
        /// <summary>Multiply-accumulates per second of the plain loop, measured over <paramref name="macs"/> MACs.</summary>
        public static long MacsPerSecond(int macs)
        {
            const int Length = 1024;
            sbyte[] a = new sbyte[Length];
            sbyte[] b = new sbyte[Length];
            for (int i = 0; i < Length; i++)
            {
                a[i] = (sbyte)((i * 7) - 128);
                b[i] = (sbyte)(127 - (i * 3));
            }

            int rounds = macs / Length;
            if (rounds < 1)
            {
                rounds = 1;
            }

            int sink = 0;
            long start = DateTime.UtcNow.Ticks;
            for (int r = 0; r < rounds; r++)
            {
                int acc = 0;
                for (int i = 0; i < Length; i += 4)
                {
                    acc += (a[i] * b[i]) + (a[i + 1] * b[i + 1]) + (a[i + 2] * b[i + 2]) + (a[i + 3] * b[i + 3]);
                }

                sink += acc;
            }

            long ticks = DateTime.UtcNow.Ticks - start;
            if (sink == 1)
            {
                Console.WriteLine(string.Empty);
            }

            return ticks <= 0 ? 0 : (long)rounds * Length * TimeSpan.TicksPerSecond / ticks;
        }
    }
}
