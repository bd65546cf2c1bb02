using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("NanoQuant.Native")]
[assembly: AssemblyDescription("nanoQuant's C kernels through nanoFramework Interop")]
[assembly: AssemblyVersion("1.0.0.0")]

// The native part's version: part of the Interop contract. Bump it (and regenerate the skeleton in
// native/interop with native/generate-skeleton.sh) whenever an extern signature changes.
[assembly: AssemblyNativeVersion("1.1.0.0")]
