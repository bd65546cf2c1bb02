namespace NanoQuant
{
    /// <summary>
    /// One operator of a loaded model, ready to run. A kernel's constructor checks every operand and
    /// parameter (throwing <see cref="InvalidModelException"/>) and hoists what its loop needs;
    /// <see cref="Invoke"/> then runs integer arithmetic only and allocates nothing.
    /// </summary>
    internal abstract class Kernel
    {
        /// <summary>Runs the operator on the current contents of the arena.</summary>
        internal abstract void Invoke();

        /// <summary>Multiply-accumulates one Invoke performs (for benchmarks).</summary>
        internal virtual long MacCount
        {
            get { return 0; }
        }

        /// <summary>Which kernel runs this operator: "managed" here; a native binding names its backend's choice.</summary>
        internal virtual string KernelName
        {
            get { return "managed"; }
        }

        /// <summary>
        /// This operator run by <paramref name="backend"/> (see native/bindings), or null when the kernel has
        /// no native counterpart: the interpreter then keeps the managed kernel.
        /// </summary>
        internal virtual Kernel BindTo(KernelBackend backend)
        {
            return null;
        }
    }
}
