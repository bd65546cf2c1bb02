using System.Runtime.InteropServices;

namespace NanoQuant.Tests.Native;

/// <summary>
/// The C kernels called through P/Invoke on desktop .NET, the way the NanoQuant.Native Interop assembly
/// calls them inside nanoCLR. Each tensor the operator touches is copied into its own unmanaged block of
/// exactly the tensor's length (and each int32 operand into one of exactly its length), so a build with
/// AddressSanitizer reports any read or write past a tensor, not just past the arena.
/// </summary>
public sealed unsafe class DesktopNativeBackend : KernelBackend, IDisposable
{
    private readonly nint _library;
    private readonly delegate* unmanaged<int*, int, sbyte*, int, sbyte*, int, sbyte*, int, int*, int, int*, int, int*, int, int*, int, int> _run;
    private readonly delegate* unmanaged<int*, int, int> _kernelFor;

    public DesktopNativeBackend(string libraryPath)
    {
        _library = NativeLibrary.Load(libraryPath);
        _run = (delegate* unmanaged<int*, int, sbyte*, int, sbyte*, int, sbyte*, int, int*, int, int*, int, int*, int, int*, int, int>)
            NativeLibrary.GetExport(_library, "nq_run");
        _kernelFor = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(_library, "nq_kernel_for");
    }

    public override string Name => "native";

    /// <summary>Number of operators run.</summary>
    public int Calls { get; private set; }

    /// <summary>
    /// When set, every call is appended to it after it ran (<see cref="NativeCallRecording"/>): the parameters,
    /// the tensors and int32 operands as the kernel received them, and the output the kernel wrote. The
    /// Cortex-M replay harness (native/tests/cortex-m) runs these calls again and compares the outputs.
    /// </summary>
    public BinaryWriter? Recorder { get; set; }

    /// <summary>nq_kernel_for, as NanoQuant.Native asks it on nanoCLR.</summary>
    public override int KernelFor(int[] parameters)
    {
        fixed (int* p = parameters)
        {
            return _kernelFor(p, parameters.Length);
        }
    }

    public override void Run(int[] parameters, sbyte[]? input, sbyte[]? second, sbyte[]? output, int[]? table0, int[]? table1, int[]? table2, int[]? table3)
    {
        // Tensors go over at start 0 in blocks of exactly their length (parameters 1-6: starts, lengths).
        var p = (int[])parameters.Clone();
        int inputStart = p[1], secondStart = p[2], outputStart = p[3];
        p[1] = p[2] = p[3] = 0;
        var blocks = new List<nint>();
        try
        {
            int* nativeParameters = Copy(p, blocks);
            sbyte* a = Slice(input, inputStart, p[4], blocks);
            sbyte* b = Slice(second, secondStart, p[5], blocks);
            sbyte* o = Slice(output, outputStart, p[6], blocks);
            if (o != null)
            {
                // A pattern, not the old contents: an output the kernel forgets to write shows up as a difference.
                new Span<sbyte>(o, p[6]).Fill(0x5A);
            }

            int status = _run(nativeParameters, p.Length, a, input == null ? 0 : p[4], b, second == null ? 0 : p[5], o, output == null ? 0 : p[6],
                Copy(table0, blocks), table0?.Length ?? 0, Copy(table1, blocks), table1?.Length ?? 0,
                Copy(table2, blocks), table2?.Length ?? 0, Copy(table3, blocks), table3?.Length ?? 0);
            if (status != 0)
            {
                throw new ArgumentException($"nq_run refused operator {parameters[0]}: status {status}");
            }

            new ReadOnlySpan<sbyte>(o, p[6]).CopyTo(output.AsSpan(outputStart, p[6]));
            if (Recorder != null)
            {
                NativeCallRecording.Write(Recorder, p, input == null ? null : new ReadOnlySpan<sbyte>(a, p[4]),
                    second == null ? null : new ReadOnlySpan<sbyte>(b, p[5]), output == null ? null : new ReadOnlySpan<sbyte>(o, p[6]),
                    [table0, table1, table2, table3]);
            }

            Calls++;
        }
        finally
        {
            foreach (var block in blocks)
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    private static sbyte* Slice(sbyte[]? array, int start, int length, List<nint> blocks)
    {
        if (array == null)
        {
            return null;
        }

        if (start < 0 || length < 0 || start + length > array.Length)
        {
            throw new ArgumentException("a tensor lies outside its array");
        }

        var block = Marshal.AllocHGlobal(Math.Max(length, 1));
        blocks.Add(block);
        array.AsSpan(start, length).CopyTo(new Span<sbyte>((void*)block, length));
        return (sbyte*)block;
    }

    private static int* Copy(int[]? array, List<nint> blocks)
    {
        if (array == null)
        {
            return null;
        }

        var block = Marshal.AllocHGlobal(Math.Max(array.Length, 1) * sizeof(int));
        blocks.Add(block);
        array.CopyTo(new Span<int>((void*)block, array.Length));
        return (int*)block;
    }

    public void Dispose() => NativeLibrary.Free(_library);
}
