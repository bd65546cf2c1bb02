namespace NanoQuant.Host.Training;

/// <summary>
/// Knowledge distillation's loss on one row of logits (Hinton, Vinyals and Dean, 2015): with q = softmax(teacher / T)
/// and p = softmax(student / T), L = T² · Σ q · (log q − log p), the cross-entropy of the soft targets less their
/// entropy (so a student equal to the teacher has loss 0). Its gradient is dL/dstudent = T · (p − q); the T² keeps the
/// gradient's size independent of T, so the weight between it and the labels' cross-entropy means the same at every T.
/// </summary>
public static class Distillation
{
    /// <summary>The loss; writes the soft targets q to <paramref name="targets"/>.</summary>
    public static double Loss(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, float temperature, Span<float> targets)
    {
        Softmax(teacher, temperature, targets);
        Span<float> logP = stackalloc float[student.Length];
        LogSoftmax(student, temperature, logP);
        double loss = 0;
        for (int c = 0; c < student.Length; c++)
        {
            if (targets[c] > 0)
            {
                loss += targets[c] * (Math.Log(targets[c]) - logP[c]);
            }
        }

        return (double)temperature * temperature * loss;
    }

    /// <summary>dL/dstudent = T · (softmax(student / T) − <paramref name="targets"/>), written to <paramref name="gradient"/> (which may be <paramref name="student"/>).</summary>
    public static void Gradient(ReadOnlySpan<float> student, ReadOnlySpan<float> targets, float temperature, Span<float> gradient)
    {
        Softmax(student, temperature, gradient);
        for (int c = 0; c < gradient.Length; c++)
        {
            gradient[c] = temperature * (gradient[c] - targets[c]);
        }
    }

    private static void Softmax(ReadOnlySpan<float> logits, float temperature, Span<float> result)
    {
        LogSoftmax(logits, temperature, result);
        for (int c = 0; c < result.Length; c++)
        {
            result[c] = MathF.Exp(result[c]);
        }
    }

    private static void LogSoftmax(ReadOnlySpan<float> logits, float temperature, Span<float> result)
    {
        float max = float.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z / temperature);
        }

        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            result[c] = (logits[c] / temperature) - max;
            sum += Math.Exp(result[c]);
        }

        float log = (float)Math.Log(sum);
        for (int c = 0; c < result.Length; c++)
        {
            result[c] -= log;
        }
    }
}
