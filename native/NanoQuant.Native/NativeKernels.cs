using System;
using System.Runtime.CompilerServices;

namespace NanoQuant.Native
{
    /// <summary>
    /// The nanoQuant C kernels (native/kernels) compiled into the firmware, called through
    /// nanoFramework Interop: one native call per operator. Use <see cref="TryUse"/> after creating an
    /// <see cref="Interpreter"/>: on firmware built with this assembly's native part the interpreter's
    /// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, pooling, ADD, SUB, MUL, SOFTMAX and MEAN operators run
    /// natively (same bytes as the managed kernels); on firmware without it nothing changes and the managed
    /// kernels run. <see cref="Interpreter.Backend"/> says which.
    /// </summary>
    public sealed class NativeKernels : KernelBackend
    {
        private static int _available;

        /// <summary>"native".</summary>
        public override string Name
        {
            get { return "native"; }
        }

        /// <summary>
        /// True when the firmware has this assembly's native part with the parameter layout this
        /// library writes (<see cref="KernelBackend.AbiVersion"/>). Firmware without it makes the probe
        /// throw <see cref="NotSupportedException"/>, which is caught here.
        /// </summary>
        public static bool IsAvailable
        {
            get
            {
                if (_available == 0)
                {
                    bool available;
                    try
                    {
                        available = NativeAbiVersion() == AbiVersion;
                    }
                    catch (NotSupportedException)
                    {
                        available = false;
                    }

                    _available = available ? 1 : -1;
                }

                return _available > 0;
            }
        }

        /// <summary>Runs <paramref name="interpreter"/>'s supported operators natively when <see cref="IsAvailable"/>; returns whether it did.</summary>
        public static bool TryUse(Interpreter interpreter)
        {
            if (interpreter == null)
            {
                throw new ArgumentNullException("interpreter");
            }

            if (!IsAvailable)
            {
                return false;
            }

            interpreter.UseBackend(new NativeKernels());
            return true;
        }

        /// <inheritdoc/>
        public override void Run(int[] parameters, sbyte[] input, sbyte[] second, sbyte[] output, int[] table0, int[] table1, int[] table2, int[] table3)
        {
            RunOperator(parameters, input, second, output, table0, table1, table2, table3);
        }

        /// <inheritdoc/>
        public override int KernelFor(int[] parameters)
        {
            if (parameters == null)
            {
                throw new ArgumentNullException("parameters");
            }

            return NativeKernelFor(parameters);
        }

        /// <summary>NQ_ABI_VERSION of the C kernels compiled into the firmware.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern int NativeAbiVersion();

        /// <summary>nq_run: checks the call against the arrays (ArgumentException when it would leave one) and runs the operator.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void RunOperator(int[] parameters, sbyte[] input, sbyte[] second, sbyte[] output, int[] table0, int[] table1, int[] table2, int[] table3);

        /// <summary>nq_kernel_for: the kernel the firmware's build gives a call with these parameters (NQ_KERNEL_*).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern int NativeKernelFor(int[] parameters);
    }
}
