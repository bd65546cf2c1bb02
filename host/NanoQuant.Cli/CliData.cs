using NanoQuant.Host.Evaluation;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Cli;

/// <summary>Samples and labels for `eval` and `validate`, read and checked the same way.</summary>
public static class CliData
{
    /// <summary>
    /// Loads a model's input samples. Integer data of the device model's own input type (int8, int16, or
    /// uint8 for a uint8 input) is already quantized (its scale and zero point are the model's), as `run`
    /// takes it; other integer data
    /// needs <paramref name="encoding"/> (--input-scale/--input-offset).
    /// </summary>
    public static SampleSet LoadSamples(byte[]? device, FloatModel? reference, string inputPath, DataEncoding? encoding)
    {
        var data = NpyArray.Load(inputPath);
        if (encoding is null && device is not null && data.Type != NpyType.Float32 && data.Type != NpyType.Float64)
        {
            using var probe = new Interpreter(device);
            var tensor = probe.GetInput(0);
            if (probe.InputCount == 1 && tensor.IsUInt8Input && data.Type == NpyType.UInt8)
            {
                // A uint8 input: its zero point is the int8 tensor's + 128.
                encoding = new DataEncoding(tensor.Scale, tensor.ZeroPoint + 128);
            }
            else if (probe.InputCount == 1 && tensor.IsUInt8Input && data.Type == NpyType.Int8)
            {
                throw new CliUsageException($"'{inputPath}' is int8, but the model's input is uint8 (--io uint8, zero point {tensor.ZeroPoint + 128}): give uint8 data (the int8 values + 128), float32, or --input-scale and --input-offset");
            }
            else if (probe.InputCount == 1 && !tensor.IsUInt8Input && string.Equals(data.Type.ToString(), tensor.Type.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                encoding = new DataEncoding(tensor.Scale, tensor.ZeroPoint);
            }
        }

        var specs = device is not null ? Top1Evaluator.Inputs(device) : InputSpec.Of(reference!.Model);
        return SampleSet.FromArrays(specs, [(inputPath, data)], [encoding]);
    }

    /// <summary>
    /// How integer data maps to the model's float input: --input-scale/--input-offset, or the input
    /// quantization of the model the data was made for (--input-quantization-from: a quantized .tflite or a .nq);
    /// null when neither is given.
    /// </summary>
    public static DataEncoding? Encoding(double? scale, double? offset, FileInfo? from, int input = 0)
    {
        if ((scale is null) != (offset is null))
        {
            throw new CliUsageException("--input-scale and --input-offset go together");
        }

        if (from is null)
        {
            return scale is null ? null : new DataEncoding(scale.Value, offset!.Value);
        }

        if (scale is not null)
        {
            throw new CliUsageException("--input-quantization-from takes the scale and offset from that model: give it or --input-scale/--input-offset, not both");
        }

        const string role = "--input-quantization-from";
        var (kind, bytes) = CliFiles.ReadAnyModel(from.FullName, role);
        byte[] device;
        if (kind == FileKind.TfLite)
        {
            var tflite = CliFiles.ParseTfLite(from.FullName, bytes, role);
            if (tflite.InputTensors.All(t => t.Type == NanoQuant.Host.TfLite.TfLiteType.Float32) && tflite.Operators.All(o => o.Code != NanoQuant.Host.TfLite.BuiltinOperator.Quantize))
            {
                throw new CliUsageException($"{role} '{from.FullName}' is a float model: give the quantized model (int8 or 16x8 .tflite, or .nq) whose input the data was quantized for");
            }

            device = NanoQuant.Host.Conversion.Converter.Convert(tflite).Bytes;
        }
        else
        {
            device = CliFiles.ReadDeviceModel(from.FullName, role);
        }

        using var interpreter = new Interpreter(device);
        if (input >= interpreter.InputCount)
        {
            throw new CliUsageException($"{role} '{from.FullName}' has {interpreter.InputCount} input(s), the data has more");
        }

        var tensor = interpreter.GetInput(input);
        return new DataEncoding(tensor.Scale, tensor.ZeroPoint + (tensor.IsUInt8Input ? 128 : 0));
    }

    /// <summary>`--input-quantization-from MODEL`: the option convert, eval and validate share.</summary>
    public static System.CommandLine.Option<FileInfo?> InputQuantizationFromOption() => new("--input-quantization-from")
    {
        Description = "integer data: take --input-scale and --input-offset from the input of the quantized model the data was made for (an int8 or 16x8 .tflite, or a .nq), e.g. kws_ref_model_int8.tflite for its int8 features",
    };

    /// <summary>Class labels, one per sample, each inside the model's <paramref name="classes"/>.</summary>
    public static int[] LoadLabels(string labelsPath, string inputPath, int samples, int classes)
    {
        var array = NpyArray.Load(labelsPath);
        if (array.Shape.Length == 2 && array.Shape[1] > 1 && array.Shape[1] != classes)
        {
            throw new CliUsageException($"labels '{labelsPath}' have shape ({array.Shape[0]}, {array.Shape[1]}): rows of {array.Shape[1]} columns, but the model has {classes} classes; give [N] class indices or [N, {classes}] one-hot (or probability) rows");
        }

        // [N] or [N, 1] are class indices; [N, classes] rows (one-hot or probabilities) count as their argmax.
        var labels = Metrics.Labels(array);
        if (labels.Length != samples)
        {
            throw new CliUsageException($"{labels.Length} labels for {samples} samples ('{labelsPath}', '{inputPath}')");
        }

        int outside = Array.FindIndex(labels, l => l < 0 || l >= classes);
        if (outside >= 0)
        {
            throw new CliUsageException($"label {labels[outside]} of sample {outside} in '{labelsPath}' is outside the model's {classes} classes (0..{classes - 1}): are these the labels of this model's data?");
        }

        return labels;
    }

    /// <summary>The elements of a device model's output 0 (its classes, for a classifier).</summary>
    public static int OutputLength(byte[] device)
    {
        using var interpreter = new Interpreter(device);
        return interpreter.GetOutput(0).Length;
    }
}
