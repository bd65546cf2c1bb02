using System.Globalization;

namespace NanoQuant.Host.NanoClr;

/// <summary>One timing round on nanoCLR: the model's ms per Invoke, then the plain dot loop's MAC/s over as many MACs.</summary>
public sealed record NanoClrRound(double MillisecondsPerInvoke, long BaselineMacsPerSecond)
{
    /// <summary>Model MAC/s in this round ÷ the dot loop's MAC/s in this round (NaN without either).</summary>
    public double Ratio(long macs) =>
        MillisecondsPerInvoke > 0 && BaselineMacsPerSecond > 0 && macs > 0 ? macs / (MillisecondsPerInvoke / 1000.0) / BaselineMacsPerSecond : double.NaN;

    /// <summary>
    /// The timing lines of job <paramref name="id"/> in nanoCLR's output (nanoclr/runner/RoundTiming.cs):
    /// <c>nq:round ID K ticks=T runs=R baseline=B</c>, <c>nq:op ID I ticks=T runs=R kernel=K</c> (K: the kernel that ran
    /// operator I, Interpreter.GetOperatorKernel), <c>nq:opbaseline ID baseline=B</c>.
    /// </summary>
    public static (List<NanoClrRound> Rounds, List<double> OperatorMilliseconds, List<string> OperatorKernels, long OperatorBaseline) Parse(IEnumerable<string> lines, string id, long ticksPerMillisecond)
    {
        var rounds = new List<NanoClrRound>();
        var operators = new List<double>();
        var kernels = new List<string>();
        long operatorBaseline = 0;
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts.Length < 3 || parts[1] != id || parts[0] is not ("nq:round" or "nq:op" or "nq:opbaseline"))
            {
                continue;
            }

            var fields = NanoClrHost.Fields(line)!;
            long Field(string key) => long.Parse(fields[key], CultureInfo.InvariantCulture);
            switch (parts[0])
            {
                case "nq:round":
                    rounds.Add(new NanoClrRound(Field("ticks") / (double)ticksPerMillisecond / Field("runs"), Field("baseline")));
                    break;
                case "nq:op":
                    int index = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    if (index != operators.Count)
                    {
                        throw new NanoClrException($"nanoCLR's operator timings came back out of order (operator {index} after {operators.Count})");
                    }

                    operators.Add(Field("ticks") / (double)ticksPerMillisecond / Field("runs"));
                    kernels.Add(fields.TryGetValue("kernel", out string? kernel) ? kernel : throw new NanoClrException($"nanoCLR's timing of operator {index} names no kernel: '{line}'"));
                    break;
                case "nq:opbaseline":
                    operatorBaseline = Field("baseline");
                    break;
            }
        }

        return (rounds, operators, kernels, operatorBaseline);
    }
}
