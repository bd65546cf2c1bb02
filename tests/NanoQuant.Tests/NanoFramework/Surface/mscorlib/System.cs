// Reference surface of .NET nanoFramework's mscorlib (nanoFramework.CoreLibrary 1.17.x), namespace
// System. Declarations only, written for nanoQuant's guard test (NanoFrameworkGuard): the member
// lists follow the public API of nanoFramework.CoreLibrary (checked against its sources, tag
// v1.17.11); bodies are placeholders. This file is read by the test and compiled in memory into a
// fake "mscorlib"; it is not part of any build.
//
// Deliberately left out although CoreLibrary 1.17 declares them:
//  - the generic delegates Action<T>, Action<T1,T2>, Func<...>, EventHandler<T> (nanoCLR 1.x has no
//    generics: generic types crash it, generic methods throw);
//  - types a numeric library has no use for (DateTime, TimeSpan, Guid, Random, Convert, Decimal,
//    Version, WeakReference, AppDomain, reflection beyond what the compiler needs, globalization).
//    Using them in device/ is reported as an error; add them here if a device file truly needs them.
// Absent from nanoFramework altogether (and so absent here): Span<T>, Memory<T>, Nullable<T>,
// ValueTuple, Buffer, MathF, Math in mscorlib (it is the separate System.Math assembly),
// ArithmeticException, OverflowException, DivideByZeroException, Environment, Stopwatch.

namespace System
{
    public class Object
    {
        public Object() { }
        public virtual string ToString() { throw null; }
        public virtual bool Equals(object obj) { throw null; }
        public static bool Equals(object objA, object objB) { throw null; }
        public static bool ReferenceEquals(object objA, object objB) { throw null; }
        public virtual int GetHashCode() { throw null; }
        public Type GetType() { throw null; }
        protected object MemberwiseClone() { throw null; }
    }

    public abstract class ValueType
    {
        public override bool Equals(object obj) { throw null; }
    }

    public abstract class Enum : ValueType
    {
        public bool HasFlag(Enum flag) { throw null; }
        public override string ToString() { throw null; }
    }

    public struct Void { }

    public struct Boolean
    {
        public static readonly string FalseString = "False";
        public static readonly string TrueString = "True";
        public override string ToString() { throw null; }
    }

    public struct Char
    {
        public const char MaxValue = (char)0xFFFF;
        public const char MinValue = (char)0x00;
        public override string ToString() { throw null; }
        public char ToLower() { throw null; }
        public char ToUpper() { throw null; }
    }

    public struct SByte
    {
        public const sbyte MaxValue = 0x7F;
        public const sbyte MinValue = unchecked((sbyte)0x80);
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static sbyte Parse(string s) { throw null; }
        public static bool TryParse(string s, out sbyte result) { throw null; }
    }

    public struct Byte
    {
        public const byte MaxValue = 0xFF;
        public const byte MinValue = 0;
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static byte Parse(string s) { throw null; }
        public static bool TryParse(string s, out byte result) { throw null; }
    }

    public struct Int16
    {
        public const short MaxValue = 0x7FFF;
        public const short MinValue = unchecked((short)0x8000);
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static short Parse(string s) { throw null; }
        public static bool TryParse(string s, out short result) { throw null; }
    }

    public struct UInt16
    {
        public const ushort MaxValue = 0xFFFF;
        public const ushort MinValue = 0;
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static ushort Parse(string s) { throw null; }
        public static bool TryParse(string s, out ushort result) { throw null; }
    }

    public struct Int32
    {
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static int Parse(string s) { throw null; }
        public static bool TryParse(string s, out int result) { throw null; }
    }

    public struct UInt32
    {
        public const uint MaxValue = 0xffffffff;
        public const uint MinValue = 0U;
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static uint Parse(string s) { throw null; }
        public static bool TryParse(string s, out uint result) { throw null; }
    }

    public struct Int64
    {
        public const long MaxValue = 0x7fffffffffffffffL;
        public const long MinValue = unchecked((long)0x8000000000000000L);
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static long Parse(string s) { throw null; }
        public static bool TryParse(string s, out long result) { throw null; }
    }

    public struct UInt64
    {
        public const ulong MaxValue = 0xffffffffffffffffL;
        public const ulong MinValue = 0x0;
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static ulong Parse(string s) { throw null; }
        public static bool TryParse(string s, out ulong result) { throw null; }
    }

    public struct Single
    {
        public const float MinValue = (float)-3.40282346638528859e+38;
        public const float Epsilon = (float)1.4e-45;
        public const float MaxValue = (float)3.40282346638528859e+38;
        public const float NegativeInfinity = -1.0f / 0.0f;
        public const float PositiveInfinity = 1.0f / 0.0f;
        public const float NaN = 0.0f / 0.0f;
        public static bool IsInfinity(float f) { throw null; }
        public static bool IsNaN(float f) { throw null; }
        public static bool IsNegativeInfinity(float f) { throw null; }
        public static bool IsPositiveInfinity(float f) { throw null; }
        public int CompareTo(float value) { throw null; }
        public static float Parse(string s) { throw null; }
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static bool TryParse(string s, out float result) { throw null; }
    }

    public struct Double
    {
        public const double MinValue = -1.7976931348623157E+308;
        public const double MaxValue = 1.7976931348623157E+308;
        public const double Epsilon = 4.9406564584124650E-324;
        public const double NegativeInfinity = -1.0 / 0.0;
        public const double PositiveInfinity = 1.0 / 0.0;
        public const double NaN = 0.0 / 0.0;
        public int CompareTo(double value) { throw null; }
        public static bool IsInfinity(double d) { throw null; }
        public static bool IsNaN(double d) { throw null; }
        public static bool IsNegativeInfinity(double d) { throw null; }
        public static bool IsPositiveInfinity(double d) { throw null; }
        public static double Parse(string s) { throw null; }
        public override string ToString() { throw null; }
        public string ToString(string format) { throw null; }
        public static bool TryParse(string s, out double result) { throw null; }
    }

    public struct IntPtr { }

    public struct UIntPtr { }

    public struct RuntimeTypeHandle { }

    public struct RuntimeFieldHandle { }

    public struct RuntimeMethodHandle { }

    /// <summary>nanoFramework's own byte span (a ref struct, not System.Span&lt;T&gt;); Stream.Read takes one.</summary>
    public readonly ref struct SpanByte
    {
        public SpanByte(byte[] array) { throw null; }
        public SpanByte(byte[] array, int start, int length) { throw null; }
        public byte this[int index] { get { throw null; } set { throw null; } }
        public static SpanByte Empty { get { throw null; } }
        public int Length { get { throw null; } }
        public bool IsEmpty { get { throw null; } }
        public void CopyTo(SpanByte destination) { throw null; }
        public SpanByte Slice(int start) { throw null; }
        public SpanByte Slice(int start, int length) { throw null; }
        public byte[] ToArray() { throw null; }
        public static implicit operator SpanByte(byte[] array) { throw null; }
    }

    public sealed class String : IComparable, System.Collections.IEnumerable
    {
        public static readonly string Empty = "";
        public String(char[] value, int startIndex, int length) { throw null; }
        public String(char[] value) { throw null; }
        public String(char c, int count) { throw null; }
        public char this[int index] { get { throw null; } }
        public int Length { get { throw null; } }
        public System.Collections.IEnumerator GetEnumerator() { throw null; }
        public override bool Equals(object obj) { throw null; }
        public static bool Equals(string a, string b) { throw null; }
        public static bool operator ==(string a, string b) { throw null; }
        public static bool operator !=(string a, string b) { throw null; }
        public override int GetHashCode() { throw null; }
        public char[] ToCharArray() { throw null; }
        public char[] ToCharArray(int startIndex, int length) { throw null; }
        public string[] Split(params char[] separator) { throw null; }
        public string[] Split(char[] separator, int count) { throw null; }
        public string Substring(int startIndex) { throw null; }
        public string Substring(int startIndex, int length) { throw null; }
        public string Trim(params char[] trimChars) { throw null; }
        public string TrimStart(params char[] trimChars) { throw null; }
        public string TrimEnd(params char[] trimChars) { throw null; }
        public string Trim() { throw null; }
        public static int Compare(string strA, string strB) { throw null; }
        public int CompareTo(object value) { throw null; }
        public int CompareTo(string strB) { throw null; }
        public int IndexOf(char value) { throw null; }
        public int IndexOf(char value, int startIndex) { throw null; }
        public int IndexOf(char value, int startIndex, int count) { throw null; }
        public int IndexOfAny(char[] anyOf) { throw null; }
        public int IndexOfAny(char[] anyOf, int startIndex) { throw null; }
        public int IndexOfAny(char[] anyOf, int startIndex, int count) { throw null; }
        public int IndexOf(string value) { throw null; }
        public int IndexOf(string value, int startIndex) { throw null; }
        public int IndexOf(string value, int startIndex, int count) { throw null; }
        public int LastIndexOf(char value) { throw null; }
        public int LastIndexOf(char value, int startIndex) { throw null; }
        public int LastIndexOf(char value, int startIndex, int count) { throw null; }
        public int LastIndexOfAny(char[] anyOf) { throw null; }
        public int LastIndexOfAny(char[] anyOf, int startIndex) { throw null; }
        public int LastIndexOfAny(char[] anyOf, int startIndex, int count) { throw null; }
        public int LastIndexOf(string value) { throw null; }
        public int LastIndexOf(string value, int startIndex) { throw null; }
        public int LastIndexOf(string value, int startIndex, int count) { throw null; }
        public string ToLower() { throw null; }
        public string ToUpper() { throw null; }
        public override string ToString() { throw null; }
        public static string Concat(object arg0) { throw null; }
        public static string Concat(object arg0, object arg1) { throw null; }
        public static string Concat(object arg0, object arg1, object arg2) { throw null; }
        public static string Concat(params object[] args) { throw null; }
        public static string Concat(string str0, string str1) { throw null; }
        public static string Concat(string str0, string str1, string str2) { throw null; }
        public static string Concat(string str0, string str1, string str2, string str3) { throw null; }
        public static string Concat(params string[] values) { throw null; }
        public static string Intern(string str) { throw null; }
        public static string IsInterned(string str) { throw null; }
        public static string Format(string format, params object[] args) { throw null; }
        public string PadLeft(int totalWidth, char paddingChar = ' ') { throw null; }
        public string PadRight(int totalWidth, char paddingChar = ' ') { throw null; }
        public static bool IsNullOrEmpty(string value) { throw null; }
        public bool Contains(string value) { throw null; }
        public bool StartsWith(string value) { throw null; }
        public bool EndsWith(string value) { throw null; }
    }

    public abstract class Array : ICloneable, System.Collections.IList
    {
        public static Array CreateInstance(Type elementType, int length) { throw null; }
        public static void Copy(Array sourceArray, Array destinationArray, int length) { throw null; }
        public static void Copy(Array sourceArray, int sourceIndex, Array destinationArray, int destinationIndex, int length) { throw null; }
        public static void Clear(Array array, int index, int length) { throw null; }
        public object GetValue(int index) { throw null; }
        public int Length { get { throw null; } }
        public object SyncRoot { get { throw null; } }
        public bool IsReadOnly { get { throw null; } }
        public bool IsFixedSize { get { throw null; } }
        public bool IsSynchronized { get { throw null; } }
        public object Clone() { throw null; }
        public static int BinarySearch(Array array, object value, System.Collections.IComparer comparer) { throw null; }
        public static int BinarySearch(Array array, int index, int length, object value, System.Collections.IComparer comparer) { throw null; }
        public void CopyTo(Array array, int index) { throw null; }
        public System.Collections.IEnumerator GetEnumerator() { throw null; }
        public static int IndexOf(Array array, object value) { throw null; }
        public static int IndexOf(Array array, object value, int startIndex) { throw null; }
        public static int IndexOf(Array array, object value, int startIndex, int count) { throw null; }
        int System.Collections.ICollection.Count { get { throw null; } }
        object System.Collections.IList.this[int index] { get { throw null; } set { throw null; } }
        int System.Collections.IList.Add(object value) { throw null; }
        bool System.Collections.IList.Contains(object value) { throw null; }
        void System.Collections.IList.Clear() { throw null; }
        int System.Collections.IList.IndexOf(object value) { throw null; }
        void System.Collections.IList.Insert(int index, object value) { throw null; }
        void System.Collections.IList.Remove(object value) { throw null; }
        void System.Collections.IList.RemoveAt(int index) { throw null; }
    }

    public static class BitConverter
    {
        public static bool IsLittleEndian { get { throw null; } }
        public static long DoubleToInt64Bits(double value) { throw null; }
        public static byte[] GetBytes(bool value) { throw null; }
        public static byte[] GetBytes(char value) { throw null; }
        public static byte[] GetBytes(double value) { throw null; }
        public static byte[] GetBytes(float value) { throw null; }
        public static byte[] GetBytes(int value) { throw null; }
        public static byte[] GetBytes(long value) { throw null; }
        public static byte[] GetBytes(short value) { throw null; }
        public static byte[] GetBytes(uint value) { throw null; }
        public static byte[] GetBytes(ulong value) { throw null; }
        public static byte[] GetBytes(ushort value) { throw null; }
        public static double Int64BitsToDouble(long value) { throw null; }
        public static bool ToBoolean(byte[] value, int startIndex) { throw null; }
        public static char ToChar(byte[] value, int startIndex) { throw null; }
        public static double ToDouble(byte[] value, int startIndex) { throw null; }
        public static short ToInt16(byte[] value, int startIndex) { throw null; }
        public static int ToInt32(byte[] value, int startIndex) { throw null; }
        public static long ToInt64(byte[] value, int startIndex) { throw null; }
        public static float ToSingle(byte[] value, int startIndex) { throw null; }
        public static string ToString(byte[] value) { throw null; }
        public static string ToString(byte[] value, int startIndex) { throw null; }
        public static string ToString(byte[] value, int startIndex, int length) { throw null; }
        public static ushort ToUInt16(byte[] value, int startIndex) { throw null; }
        public static uint ToUInt32(byte[] value, int startIndex) { throw null; }
        public static ulong ToUInt64(byte[] value, int startIndex) { throw null; }
    }

    public static class Console
    {
        public static void Write(string value) { throw null; }
        public static void WriteLine() { throw null; }
        public static void WriteLine(string value) { throw null; }
    }

    public static class GC
    {
        public static void WaitForPendingFinalizers() { throw null; }
        public static void SuppressFinalize(object obj) { throw null; }
        public static void ReRegisterForFinalize(object obj) { throw null; }
    }

    public interface IDisposable
    {
        void Dispose();
    }

    public interface ICloneable
    {
        object Clone();
    }

    public interface IComparable
    {
        int CompareTo(object obj);
    }

    public interface IFormatProvider
    {
        object GetFormat(Type formatType);
    }

    public interface IFormattable
    {
        string ToString(string format, IFormatProvider formatProvider);
    }

    public abstract class Type : System.Reflection.MemberInfo
    {
        public abstract string FullName { get; }
        public abstract Type BaseType { get; }
        public static Type GetType(string typeName) { throw null; }
        public static Type GetTypeFromHandle(RuntimeTypeHandle handle) { throw null; }
        public bool IsArray { get { throw null; } }
        public bool IsEnum { get { throw null; } }
        public bool IsValueType { get { throw null; } }
        public bool IsClass { get { throw null; } }
        public abstract Type GetElementType();
        public virtual bool IsSubclassOf(Type c) { throw null; }
        public virtual bool IsInstanceOfType(object o) { throw null; }
        public System.Reflection.MethodInfo GetMethod(string name) { throw null; }
        public override string ToString() { throw null; }
    }

    public abstract class Delegate
    {
        public override bool Equals(object obj) { throw null; }
        public override int GetHashCode() { throw null; }
        public static Delegate Combine(Delegate a, Delegate b) { throw null; }
        public static Delegate Remove(Delegate source, Delegate value) { throw null; }
        public virtual Delegate[] GetInvocationList() { throw null; }
        public object Target { get { throw null; } }
        public static bool operator ==(Delegate d1, Delegate d2) { throw null; }
        public static bool operator !=(Delegate d1, Delegate d2) { throw null; }
    }

    public abstract class MulticastDelegate : Delegate
    {
        public static bool operator ==(MulticastDelegate d1, MulticastDelegate d2) { throw null; }
        public static bool operator !=(MulticastDelegate d1, MulticastDelegate d2) { throw null; }
        public override bool Equals(object obj) { throw null; }
        public override int GetHashCode() { throw null; }
    }

    public delegate void Action();

    public delegate void AsyncCallback(IAsyncResult ar);

    public interface IAsyncResult
    {
        bool IsCompleted { get; }
    }

    public class EventArgs
    {
        public static readonly EventArgs Empty = new EventArgs();
        public EventArgs() { }
    }

    public delegate void EventHandler(object sender, EventArgs e);

    public class MarshalByRefObject
    {
    }

    // ---- Attributes -------------------------------------------------------------------------

    [AttributeUsage(AttributeTargets.All)]
    public abstract class Attribute
    {
        protected Attribute() { }
    }

    [Flags]
    public enum AttributeTargets
    {
        Assembly = 0x0001,
        Module = 0x0002,
        Class = 0x0004,
        Struct = 0x0008,
        Enum = 0x0010,
        Constructor = 0x0020,
        Method = 0x0040,
        Property = 0x0080,
        Field = 0x0100,
        Event = 0x0200,
        Interface = 0x0400,
        Parameter = 0x0800,
        Delegate = 0x1000,
        ReturnValue = 0x2000,
        All = Assembly | Module | Class | Struct | Enum | Constructor | Method | Property | Field | Event | Interface | Parameter | Delegate | ReturnValue,
    }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { }
        public AttributeTargets ValidOn { get { throw null; } }
        public bool AllowMultiple { get { throw null; } set { } }
        public bool Inherited { get { throw null; } set { } }
    }

    [AttributeUsage(AttributeTargets.Enum)]
    public class FlagsAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Constructor | AttributeTargets.Delegate | AttributeTargets.Enum | AttributeTargets.Event | AttributeTargets.Field | AttributeTargets.Interface | AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Struct, Inherited = false)]
    public sealed class ObsoleteAttribute : Attribute
    {
        public ObsoleteAttribute() { }
        public ObsoleteAttribute(string message) { }
        public ObsoleteAttribute(string message, bool error) { }
        public string Message { get { throw null; } }
        public bool IsError { get { throw null; } }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class ParamArrayAttribute : Attribute
    {
        public ParamArrayAttribute() { }
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Delegate, Inherited = false)]
    public sealed class SerializableAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class NonSerializedAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.All)]
    public sealed class CLSCompliantAttribute : Attribute
    {
        public CLSCompliantAttribute(bool isCompliant) { }
        public bool IsCompliant { get { throw null; } }
    }

    // ---- Exceptions (every exception type nanoFramework.CoreLibrary 1.17 declares in System) ---

    public class Exception
    {
        protected int HResult;
        public Exception() { }
        public Exception(string message) { }
        public Exception(string message, Exception innerException) { }
        public virtual string Message { get { throw null; } }
        public Exception InnerException { get { throw null; } }
        public virtual string StackTrace { get { throw null; } }
        public override string ToString() { throw null; }
    }

    public class SystemException : Exception
    {
        public SystemException() { }
        public SystemException(string message) { }
        public SystemException(string message, Exception innerException) { }
    }

    public class ApplicationException : Exception
    {
        public ApplicationException() { }
        public ApplicationException(string message) { }
        public ApplicationException(string message, Exception innerException) { }
    }

    public class ArgumentException : SystemException
    {
        public ArgumentException() { }
        public ArgumentException(string message) { }
        public ArgumentException(string message, Exception innerException) { }
        public ArgumentException(string message, string paramName) { }
        public ArgumentException(string message, string paramName, Exception innerException) { }
        public override string Message { get { throw null; } }
        public virtual string ParamName { get { throw null; } }
        public static void ThrowIfNullOrEmpty(string argument, string paramName = null) { throw null; }
        public static void ThrowIfNullOrWhiteSpace(string argument, string paramName = null) { throw null; }
    }

    public class ArgumentNullException : ArgumentException
    {
        public ArgumentNullException() { }
        public ArgumentNullException(string paramName) { }
        public ArgumentNullException(string message, Exception innerException) { }
        public ArgumentNullException(string paramName, string message) { }
        public static void ThrowIfNull(object argument, string paramName = null) { throw null; }
    }

    public class ArgumentOutOfRangeException : ArgumentException
    {
        public ArgumentOutOfRangeException() { }
        public ArgumentOutOfRangeException(string paramName) { }
        public ArgumentOutOfRangeException(string paramName, string message) { }
    }

    public class AppDomainUnloadedException : SystemException
    {
        public AppDomainUnloadedException() { }
        public AppDomainUnloadedException(string message) { }
        public AppDomainUnloadedException(string message, Exception innerException) { }
    }

    public class FormatException : SystemException
    {
        public FormatException() { }
        public FormatException(string message) { }
        public FormatException(string message, Exception innerException) { }
    }

    public class IndexOutOfRangeException : SystemException
    {
        public IndexOutOfRangeException() { }
        public IndexOutOfRangeException(string message) { }
        public IndexOutOfRangeException(string message, Exception innerException) { }
    }

    public class InvalidCastException : SystemException
    {
        public InvalidCastException() { }
        public InvalidCastException(string message) { }
        public InvalidCastException(string message, Exception innerException) { }
    }

    public class InvalidOperationException : SystemException
    {
        public InvalidOperationException() { }
        public InvalidOperationException(string message) { }
        public InvalidOperationException(string message, Exception innerException) { }
    }

    public class NotImplementedException : SystemException
    {
        public NotImplementedException() { }
        public NotImplementedException(string message) { }
        public NotImplementedException(string message, Exception innerException) { }
    }

    public class NotSupportedException : SystemException
    {
        public NotSupportedException() { }
        public NotSupportedException(string message) { }
        public NotSupportedException(string message, Exception innerException) { }
    }

    public class NullReferenceException : SystemException
    {
        public NullReferenceException() { }
        public NullReferenceException(string message) { }
        public NullReferenceException(string message, Exception innerException) { }
    }

    public class ObjectDisposedException : SystemException
    {
        public ObjectDisposedException() { }
        public ObjectDisposedException(string message) { }
        public ObjectDisposedException(string message, Exception innerException) { }
    }

    public class OutOfMemoryException : SystemException
    {
        public OutOfMemoryException() { }
        public OutOfMemoryException(string message) { }
        public OutOfMemoryException(string message, Exception innerException) { }
    }

    public class PlatformNotSupportedException : NotSupportedException
    {
        public PlatformNotSupportedException() { }
        public PlatformNotSupportedException(string message) { }
        public PlatformNotSupportedException(string message, Exception inner) { }
    }

    public class TimeoutException : SystemException
    {
        public TimeoutException() { }
        public TimeoutException(string message) { }
        public TimeoutException(string message, Exception innerException) { }
    }
}
