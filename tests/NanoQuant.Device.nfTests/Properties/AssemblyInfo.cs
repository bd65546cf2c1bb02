using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("NanoQuant.Device.NfTests")]
[assembly: AssemblyDescription("nanoQuant device runtime tests for .NET nanoFramework (nanoFramework.TestFramework)")]
[assembly: AssemblyProduct("nanoQuant")]
[assembly: ComVisible(false)]
[assembly: AssemblyVersion("1.0.0.0")]
[assembly: AssemblyFileVersion("1.0.0.0")]
[assembly: AssemblyNativeVersion("1.0.0.0")]
