using System;
using NanoQuant.Samples;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// Timings of <c>nanoquant bench --runtime nanoclr</c> that hold on a shared, noisy machine: the model's
    /// timed Invoke calls in rounds, each round followed by the plain dot loop of
    /// <see cref="DotProductBaseline"/> over the same number of MACs, so each round's ratio compares two
    /// neighbouring measurements (the host takes the median); and each operator's time on its own.
    /// </summary>
    internal static class RoundTiming
    {
        /// <summary>
        /// Prints one <c>nq:round JOB K ticks=T runs=R baseline=MACS_PER_SECOND</c> line per round: R Invoke
        /// calls took T ticks, then the dot loop over R × the model's MACs ran at that rate.
        /// </summary>
        internal static void Rounds(Interpreter interpreter, string job, int runs, int rounds)
        {
            long macs = interpreter.MacCount * runs;
            int baselineMacs = macs > int.MaxValue ? int.MaxValue : (int)macs;
            for (int k = 0; k < rounds; k++)
            {
                long start = DateTime.UtcNow.Ticks;
                for (int r = 0; r < runs; r++)
                {
                    interpreter.Invoke();
                }

                long ticks = DateTime.UtcNow.Ticks - start;
                long baseline = DotProductBaseline.MacsPerSecond(baselineMacs);
                Console.WriteLine("nq:round " + job + " " + k.ToString() + " ticks=" + ticks.ToString() + " runs=" + runs.ToString()
                    + " baseline=" + baseline.ToString());
            }
        }

        /// <summary>
        /// Runs the model <paramref name="runs"/> times one operator at a time, timing each operator, and prints
        /// <c>nq:op JOB INDEX ticks=T runs=R kernel=K</c> per operator (T: that operator's total over the runs, less the
        /// cost of reading the clock, measured here too; K: <see cref="Interpreter.GetOperatorKernel"/>), then <c>nq:opbaseline JOB baseline=MACS_PER_SECOND</c>:
        /// the dot loop over the same number of MACs right after.
        /// </summary>
        internal static void Operators(Interpreter interpreter, string job, int runs)
        {
            int count = interpreter.OperatorCount;
            long[] ticks = new long[count];
            for (int r = 0; r < runs; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    long start = DateTime.UtcNow.Ticks;
                    interpreter.InvokeOperator(i);
                    ticks[i] += DateTime.UtcNow.Ticks - start;
                }
            }

            // What an empty interval between two clock reads measures, summed over as many runs: taken off
            // every operator's figure (it is in each of them).
            long clockTicks = 0;
            for (int r = 0; r < runs; r++)
            {
                long start = DateTime.UtcNow.Ticks;
                clockTicks += DateTime.UtcNow.Ticks - start;
            }

            for (int i = 0; i < count; i++)
            {
                long t = ticks[i] - clockTicks;
                Console.WriteLine("nq:op " + job + " " + i.ToString() + " ticks=" + (t < 0 ? 0 : t).ToString() + " runs=" + runs.ToString()
                    + " kernel=" + interpreter.GetOperatorKernel(i));
            }

            long macs = interpreter.MacCount * runs;
            Console.WriteLine("nq:opbaseline " + job + " baseline=" + DotProductBaseline.MacsPerSecond(macs > int.MaxValue ? int.MaxValue : (int)macs).ToString());
        }
    }
}
