using System.CommandLine;
using System.Globalization;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Cli;

/// <summary>`nanoquant inspect MODEL.nq|MODEL.tflite`: operators, tensors, quantization, arena plan, sizes.</summary>
public static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq) or TensorFlow Lite model (.tflite)" };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of text" };
        var command = new Command("inspect", "Show a model's operators, tensors, quantization, memory plan and sizes") { model, json };
        command.SetAction(parse => console.Guard(() =>
        {
            var file = parse.GetValue(model)!;
            var (kind, bytes) = CliFiles.ReadAnyModel(file.FullName);
            if (parse.GetValue(json))
            {
                CliJson.Write(console.Out, kind == FileKind.TfLite
                    ? TfLiteJson(file, bytes.Length, CliFiles.ParseTfLite(file.FullName, bytes))
                    : DeviceJson(file, CliFiles.ReadDeviceModel(file.FullName)));
            }
            else if (kind == FileKind.TfLite)
            {
                InspectTfLite(console.Out, file, CliFiles.ParseTfLite(file.FullName, bytes));
            }
            else
            {
                InspectDevice(console.Out, file, CliFiles.ReadDeviceModel(file.FullName));
            }

            return 0;
        }));
        return command;
    }

    private static object TfLiteJson(FileInfo file, int length, TfLiteModel model)
    {
        string? error = null;
        ConversionResult? result = null;
        try
        {
            result = Converter.Convert(model);
        }
        catch (UnsupportedModelException e)
        {
            error = e.Message;
        }

        return new
        {
            Model = file.Name,
            Kind = "tflite",
            Bytes = length,
            model.SchemaVersion,
            model.Inputs,
            model.Outputs,
            Operators = model.Operators.Select(o => new { o.Index, Operator = o.Name, o.Version, o.Inputs, o.Outputs }),
            Tensors = model.Tensors.Select((t, i) => new
            {
                Index = i,
                t.Name,
                Type = t.Type.ToString().ToLowerInvariant(),
                t.Shape,
                Constant = t.IsConstant,
                Scales = t.Quantization?.Scales,
                ZeroPoints = t.Quantization?.ZeroPoints,
            }),
            Converts = result is not null,
            ConversionError = error,
            DeviceModelBytes = result?.Bytes.Length,
            ArenaBytes = result?.Plan.ArenaBytes,
        };
    }

    private static object DeviceJson(FileInfo file, byte[] bytes)
    {
        var model = DeviceModelReader.Read(bytes);
        object Edge(int i)
        {
            var t = model.Tensors[i];
            return new
            {
                Tensor = i,
                t.Shape,
                t.Scale,
                t.ZeroPoint,
                FloatInSource = (t.Flags & (ModelFormat.FlagFloatInput | ModelFormat.FlagFloatOutput)) != 0,
                Uint8Edge = (t.Flags & (ModelFormat.FlagUInt8Input | ModelFormat.FlagUInt8Output)) != 0,
            };
        }

        return new
        {
            Model = file.Name,
            Kind = "nq",
            Bytes = bytes.Length,
            FormatVersion = BitConverter.ToUInt16(bytes, 4),
            model.ArenaBytes,
            Inputs = model.Inputs.Select(Edge),
            Outputs = model.Outputs.Select(Edge),
            Operators = model.Operators.Select((op, o) => new
            {
                Index = o,
                Operator = OperatorNames.Get(op.Type),
                op.Inputs,
                op.Outputs,
                Parameters = NanoQuant.Host.Analysis.OperatorParameterNames.Get(op.Type, op.Parameters.Length).Select((n, k) => new { Name = n, Value = op.Parameters[k] }),
            }),
            Tensors = model.Tensors.Select((t, i) => new
            {
                Index = i,
                Type = t.Type.ToString().ToLowerInvariant(),
                t.Shape,
                Bytes = t.ByteLength,
                Storage = t.IsArena ? "arena" : "constant",
                ArenaOffset = t.IsArena ? t.ArenaOffset : (int?)null,
                t.Scale,
                t.ZeroPoint,
            }),
        };
    }

    private static string Shape(int[] shape) => "[" + string.Join(",", shape) + "]";

    private static string F(float v) => v.ToString("G7", CultureInfo.InvariantCulture);

    private static void InspectTfLite(TextWriter w, FileInfo file, TfLiteModel model)
    {
        w.WriteLine($"{file.Name}: TensorFlow Lite model, {file.Length:N0} bytes, schema v{model.SchemaVersion}, {model.Operators.Count} operators, {model.Tensors.Count} tensors");
        if (!string.IsNullOrEmpty(model.Description))
        {
            w.WriteLine($"description: {model.Description}");
        }

        string Describe(int t)
        {
            if (t < 0)
            {
                return "-";
            }

            var tensor = model.Tensors[t];
            string q = tensor.Quantization is { } qp
                ? qp.IsPerChannel ? $" q[{qp.Scales.Length} ch, dim {qp.Dimension}]" : $" q({F(qp.Scale)}, {qp.ZeroPoint})"
                : "";
            return $"t{t} {tensor.Type.ToString().ToLowerInvariant()}{Shape(tensor.Shape)}{(tensor.IsConstant ? " const" : "")}{q}";
        }

        w.WriteLine("inputs:  " + string.Join("; ", model.Inputs.Select(Describe)));
        w.WriteLine("outputs: " + string.Join("; ", model.Outputs.Select(Describe)));
        w.WriteLine("operators:");
        foreach (var op in model.Operators)
        {
            w.WriteLine($"  {op.Index,3} {op.Name} v{op.Version}: {string.Join(", ", op.Inputs.Select(Describe))} -> {string.Join(", ", op.Outputs.Select(Describe))}");
        }

        long weights = model.Tensors.Where(t => t.IsConstant).Sum(t => (long)t.Data!.Length);
        w.WriteLine($"constant data: {weights:N0} bytes");
        try
        {
            var result = Converter.Convert(model);
            w.WriteLine($"converts: yes — device model {result.Bytes.Length:N0} bytes, {result.Model.Operators.Count} operators, arena {result.Plan.ArenaBytes:N0} bytes (lower bound {result.Plan.LowerBound:N0})");
        }
        catch (UnsupportedModelException e)
        {
            w.WriteLine($"converts: no — {e.Message}");
        }
    }

    private static void InspectDevice(TextWriter w, FileInfo file, byte[] bytes)
    {
        var model = DeviceModelReader.Read(bytes);
        long constants = model.Tensors.Where(t => !t.IsArena).Sum(t => (long)t.ByteLength);
        w.WriteLine($"{file.Name}: nanoQuant device model v{BitConverter.ToUInt16(bytes, 4)}, {bytes.Length:N0} bytes ({constants:N0} bytes of constants), {model.Operators.Count} operators, {model.Tensors.Count} tensors, arena {model.ArenaBytes:N0} bytes");

        static string TypeName(TensorType type) => type switch
        {
            TensorType.Int8 => "int8",
            TensorType.Int16 => "int16",
            TensorType.Int32 => "int32",
            _ => "int64",
        };

        string Edge(DeviceTensor t) =>
            (t.Flags & ModelFormat.FlagFloatInput) != 0 ? " (float32 in source: quantized on entry)"
            : (t.Flags & ModelFormat.FlagFloatOutput) != 0 ? " (float32 in source: dequantized on exit)"
            : (t.Flags & ModelFormat.FlagUInt8Input) != 0 ? $" (uint8 in, zero point {t.ZeroPoint + 128}: the top bit flipped on entry)"
            : (t.Flags & ModelFormat.FlagUInt8Output) != 0 ? $" (uint8 out, zero point {t.ZeroPoint + 128}: the top bit flipped on exit)" : "";
        foreach (int i in model.Inputs)
        {
            var t = model.Tensors[i];
            w.WriteLine($"input  t{i}: {TypeName(t.Type)}{Shape(t.Shape)} scale {F(t.Scale)} zero point {t.ZeroPoint}{Edge(t)}");
        }

        foreach (int i in model.Outputs)
        {
            var t = model.Tensors[i];
            w.WriteLine($"output t{i}: {TypeName(t.Type)}{Shape(t.Shape)} scale {F(t.Scale)} zero point {t.ZeroPoint}{Edge(t)}");
        }

        w.WriteLine("operators:");
        for (int o = 0; o < model.Operators.Count; o++)
        {
            var op = model.Operators[o];
            w.WriteLine($"  {o,3} {OperatorNames.Get(op.Type)}: in [{string.Join(",", op.Inputs.Select(i => i < 0 ? "-" : "t" + i))}] out [{string.Join(",", op.Outputs.Select(i => "t" + i))}] params ({NanoQuant.Host.Analysis.OperatorParameterNames.Describe(op.Type, op.Parameters)})");
        }

        w.WriteLine("tensors:");
        for (int i = 0; i < model.Tensors.Count; i++)
        {
            var t = model.Tensors[i];
            string where = t.IsArena ? $"arena @{t.ArenaOffset}" : "constant";
            if ((t.Flags & ModelFormat.FlagVariable) != 0)
            {
                where += " (variable: state kept across Invoke)";
            }

            string q = t.Type is TensorType.Int8 or TensorType.Int16 && t.Scale > 0 ? $" q({F(t.Scale)}, {t.ZeroPoint})" : "";
            w.WriteLine($"  t{i,-4} {TypeName(t.Type),-5} {Shape(t.Shape),-18} {t.ByteLength,9:N0} B  {where}{q}");
        }
    }
}
