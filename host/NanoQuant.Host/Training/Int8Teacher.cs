using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Host.Training;

/// <summary>
/// The soft targets of <see cref="DistillationTeacher.Int8"/>: the int8 device model run by the device interpreter on each
/// sample, read before its final SOFTMAX (the softmax's input, dequantized), or its output 0 dequantized when it ends
/// without one. Each sample runs alone on its own interpreter, so the figures do not depend on the thread count.
/// </summary>
public static class Int8Teacher
{
    /// <summary>The dequantized tensor per sample, the samples one after another; <paramref name="length"/> is its element count.</summary>
    public static float[] Logits(byte[] deviceModel, SampleSet samples, out int length)
    {
        var device = DeviceModelReader.Read(deviceModel);
        int output = device.Outputs[0];
        int last = device.Operators.FindLastIndex(o => o.Outputs.Contains(output));
        bool softmax = last >= 0 && device.Operators[last].Type == OperatorType.Softmax;
        int tensor = softmax ? device.Operators[last].Inputs[0] : output;
        int count = softmax ? last : device.Operators.Count;
        int elements = device.Tensors[tensor].ElementCount;
        var logits = new float[samples.SampleCount * elements];
        BatchRunner.Parallel(samples.SampleCount, () => new Interpreter(deviceModel), (interpreter, s) =>
        {
            for (int i = 0; i < interpreter.InputCount; i++)
            {
                BatchRunner.SetInput(interpreter.GetInput(i), samples.Sample(i, s));
            }

            interpreter.ResetState();
            for (int o = 0; o < count; o++)
            {
                interpreter.InvokeOperator(o);
            }

            BatchRunner.ReadOutput(interpreter.GetTensor(tensor), logits.AsSpan(s * elements, elements));
        });
        length = elements;
        return logits;
    }
}
