// Reference surface of nanoFramework's mscorlib (CoreLibrary 1.17.x): System.Diagnostics,
// System.Reflection, System.Runtime.CompilerServices, System.Threading, System.IO — the parts the C#
// compiler relies on plus a few a library may use. See System.cs for what this surface is.

namespace System.Diagnostics
{
    public static class Debug
    {
        [Conditional("DEBUG")]
        public static void Assert(bool condition) { throw null; }
        [Conditional("DEBUG")]
        public static void Assert(bool condition, string message) { throw null; }
        [Conditional("DEBUG")]
        public static void Assert(bool condition, string message, string detailedMessage) { throw null; }
        [Conditional("DEBUG")]
        public static void Write(string message) { throw null; }
        [Conditional("DEBUG")]
        public static void WriteLine() { throw null; }
        [Conditional("DEBUG")]
        public static void WriteLine(string message) { throw null; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class ConditionalAttribute : Attribute
    {
        public ConditionalAttribute(string conditionString) { }
        public string ConditionString { get { throw null; } }
    }
}

namespace System.Reflection
{
    public abstract class MemberInfo
    {
        public abstract string Name { get; }
        public abstract Type DeclaringType { get; }
    }

    // Finding an optional assembly by name (Interpreter.UseNativeKernels): nanoFramework.CoreLibrary's
    // Assembly.Load(string), Assembly.GetType(string), Type.GetMethod(string), MethodBase.Invoke.
    public class Assembly
    {
        public static Assembly Load(string assemblyString) { throw null; }
        public virtual Type GetType(string name) { throw null; }
    }

    public abstract class MethodBase : MemberInfo
    {
        public object Invoke(object obj, object[] parameters) { throw null; }
    }

    public abstract class MethodInfo : MethodBase
    {
        public abstract Type ReturnType { get; }
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
    public sealed class DefaultMemberAttribute : Attribute
    {
        public DefaultMemberAttribute(string memberName) { }
        public string MemberName { get { throw null; } }
    }
}

namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        public static void InitializeArray(Array array, RuntimeFieldHandle fldHandle) { throw null; }
        public static object GetObjectValue(object obj) { throw null; }
        public static void RunClassConstructor(RuntimeTypeHandle type) { throw null; }
        public static int OffsetToStringData { get { throw null; } }
    }

    public enum MethodImplOptions
    {
        Unmanaged = 0x0004,
        ForwardRef = 0x0010,
        PreserveSig = 0x0080,
        InternalCall = 0x1000,
        Synchronized = 0x0020,
        NoInlining = 0x0008,
    }

    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions methodImplOptions) { }
        public MethodImplAttribute(short value) { }
        public MethodImplAttribute() { }
        public MethodImplOptions Value { get { throw null; } }
    }

    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
    public sealed class ExtensionAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class InternalsVisibleToAttribute : Attribute
    {
        public InternalsVisibleToAttribute(string assemblyName) { }
        public string AssemblyName { get { throw null; } }
    }

    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class CallerMemberNameAttribute : Attribute
    {
        public CallerMemberNameAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class CallerArgumentExpressionAttribute : Attribute
    {
        public CallerArgumentExpressionAttribute(string parameterName) { }
        public string ParameterName { get { throw null; } }
    }

    public sealed class IsVolatile
    {
        private IsVolatile() { }
    }

    public static class IsExternalInit
    {
    }
}

namespace System.Threading
{
    public static class Monitor
    {
        public static void Enter(object obj) { throw null; }
        public static void Exit(object obj) { throw null; }
    }

    public static class Interlocked
    {
        public static int Increment(ref int location) { throw null; }
        public static int Decrement(ref int location) { throw null; }
        public static int Exchange(ref int location1, int value) { throw null; }
        public static int CompareExchange(ref int location1, int value, int comparand) { throw null; }
    }

    public delegate void ThreadStart();

    public sealed class Thread
    {
        public Thread(ThreadStart start) { }
        public void Start() { throw null; }
        public void Abort() { throw null; }
        public bool IsAlive { get { throw null; } }
        public int ManagedThreadId { get { throw null; } }
        public void Join() { throw null; }
        public bool Join(int millisecondsTimeout) { throw null; }
        public static void Sleep(int millisecondsTimeout) { throw null; }
        public static void SpinWait(int iterations) { throw null; }
        public static Thread CurrentThread { get { throw null; } }
    }

    public static class Timeout
    {
        public const int Infinite = -1;
    }

    public sealed class ThreadAbortException : SystemException
    {
        private ThreadAbortException() { }
    }
}

namespace System.IO
{
    public class IOException : SystemException
    {
        public IOException() { }
        public IOException(string message) { }
        public IOException(string message, int hresult) { }
        public IOException(string message, Exception innerException) { }
    }
}
