using System.Collections.Immutable;
using System.Reflection.Metadata;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>One thing in a device source that .NET nanoFramework cannot build or run.</summary>
public sealed record GuardViolation(string File, int Line, string Construct, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Construct}: {Message}";
}

/// <summary>
/// The nanoFramework guard: compiles C# sources the way nanoFramework's toolchain sees them — C# 10,
/// against ONLY a reference surface of nanoFramework's assemblies (mscorlib of CoreLibrary 1.17,
/// System.Math, System.IO.Streams, System.IO.FileSystem; declarations in NanoFramework/Surface/,
/// compiled in memory) — then walks the syntax for what compiles but nanoCLR cannot run (generics,
/// multi-dimensional arrays, unsafe code, checked arithmetic, string interpolation, LINQ, records,
/// tuples, dynamic, async, iterators, Math overloads that silently become float, floating point in
/// kernels) and inspects the emitted metadata for types the compiler synthesized. Every violation
/// names file:line and the construct.
/// </summary>
public static class NanoFrameworkGuard
{
    /// <summary>The preprocessor symbol nanoFramework's build defines; #if branches are checked as the device sees them.</summary>
    public const string NanoFrameworkSymbol = "NANOFRAMEWORK_1_0";

    /// <summary>The surface assemblies, in dependency order (each references the ones before it).</summary>
    public static readonly string[] SurfaceAssemblies = ["mscorlib", "System.Math", "System.IO.Streams", "System.IO.FileSystem"];

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_surface = new(BuildSurface);

    public static CSharpParseOptions ParseOptions { get; } = new(
        LanguageVersion.CSharp10,
        DocumentationMode.Parse,
        SourceCodeKind.Regular,
        [NanoFrameworkSymbol]);

    public static string SurfaceDirectory => Path.Combine(SharedResources.ProjectRoot, "tests", "NanoQuant.Tests", "NanoFramework", "Surface");

    /// <summary>Compiled surface assemblies (in memory) to compile device code against.</summary>
    public static ImmutableArray<MetadataReference> SurfaceReferences => s_surface.Value;

    /// <summary>Every .cs file of device/, shared/ and native/bindings/ (bin/ and obj/ excluded), as paths relative to the project root with '/' separators.</summary>
    public static IReadOnlyList<string> DeviceSourceFiles()
    {
        var files = new List<string>();
        foreach (string folder in new[] { "device", "shared", "native/bindings" })
        {
            string root = Path.Combine(SharedResources.ProjectRoot, folder);
            foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(SharedResources.ProjectRoot, file).Replace('\\', '/');
                string[] parts = relative.Split('/');
                if (parts.Contains("bin") || parts.Contains("obj"))
                {
                    continue;
                }

                files.Add(relative);
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Checks the device/ and shared/ sources of the working tree.</summary>
    public static IReadOnlyList<GuardViolation> CheckProject() =>
        Check(DeviceSourceFiles().Select(f => (f, File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, f)))));

    /// <summary>Checks a set of sources compiled together as one nanoFramework assembly.</summary>
    /// <param name="sources">(path, text) pairs; a path containing "/Kernels/" is held to the kernel rules (no floating point).</param>
    public static IReadOnlyList<GuardViolation> Check(IEnumerable<(string Path, string Text)> sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)).ToList();
        var compilation = CSharpCompilation.Create(
            "NanoQuant.Device",
            trees,
            SurfaceReferences,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: OptimizationLevel.Release,
                checkOverflow: false,
                allowUnsafe: false,
                nullableContextOptions: NullableContextOptions.Disable,
                deterministic: true));

        var violations = new List<GuardViolation>();

        // 1. It must compile against nanoFramework's API alone (emit included: some missing members,
        //    e.g. ones the compiler needs to lower a construct, are only reported when emitting).
        using var peStream = new MemoryStream();
        var emit = compilation.Emit(peStream);
        foreach (var d in emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).OrderBy(d => d.Location.SourceTree?.FilePath).ThenBy(d => d.Location.SourceSpan.Start))
        {
            violations.Add(At(d.Location, "compile error " + d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture) + " (not in nanoFramework's API, or not C# 10)"));
        }

        // 2. What compiles but nanoCLR cannot run, or the project forbids on the device.
        foreach (var tree in trees)
        {
            var walker = new Walker(compilation.GetSemanticModel(tree), tree.FilePath.Replace('\\', '/').Contains("/Kernels/", StringComparison.Ordinal), violations);
            walker.Visit(tree.GetRoot());
        }

        // 3. Types in the output the sources do not declare: attributes the compiler synthesizes when
        //    the core library lacks them (IsReadOnlyAttribute, IsByRefLikeAttribute, NullableAttribute,
        //    EmbeddedAttribute, ...). nanoFramework's metadata processor and nanoCLR do not expect them.
        if (emit.Success)
        {
            peStream.Position = 0;
            violations.AddRange(SynthesizedTypes(compilation, peStream));
        }

        return violations;
    }

    private static IEnumerable<GuardViolation> SynthesizedTypes(CSharpCompilation compilation, Stream pe)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        void Collect(INamespaceOrTypeSymbol symbol)
        {
            foreach (var member in symbol.GetMembers())
            {
                if (member is INamedTypeSymbol type)
                {
                    declared.Add(Qualified(type));
                    Collect(type);
                }
                else if (member is INamespaceSymbol ns)
                {
                    Collect(ns);
                }
            }
        }

        Collect(compilation.Assembly.GlobalNamespace);
        using var reader = new System.Reflection.PortableExecutable.PEReader(pe);
        var metadata = reader.GetMetadataReader();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            string name = metadata.GetString(type.Name);
            string ns = metadata.GetString(type.Namespace);
            if (name == "<Module>" || name.StartsWith('<') || !type.GetDeclaringType().IsNil)
            {
                // <PrivateImplementationDetails> (array initializers, string switch hashing) and nested
                // compiler-generated types are what nanoFramework's toolchain has always handled.
                continue;
            }

            string full = ns.Length == 0 ? name : ns + "." + name;
            if (!declared.Contains(full))
            {
                yield return new GuardViolation("(emitted assembly)", 0, "compiler-synthesized type",
                    $"the compiler added type {full}, which nanoFramework's core library does not define (a language feature needs it; e.g. 'in' parameters, readonly or ref structs, nullable annotations) — avoid that feature");
            }
        }

        static string Qualified(INamedTypeSymbol t)
        {
            string ns = t.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
            return ns + t.MetadataName;
        }
    }

    private static GuardViolation At(Location location, string construct, string message)
    {
        var span = location.GetLineSpan();
        string file = location.SourceTree?.FilePath ?? "(no file)";
        return new GuardViolation(file.Replace('\\', '/'), span.StartLinePosition.Line + 1, construct, message);
    }

    private static ImmutableArray<MetadataReference> BuildSurface()
    {
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string assembly in SurfaceAssemblies)
        {
            string folder = Path.Combine(SurfaceDirectory, assembly);
            var trees = Directory.EnumerateFiles(folder, "*.cs")
                .Order(StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.CSharp10), f))
                .ToList();
            var compilation = CSharpCompilation.Create(
                assembly,
                trees,
                references.ToImmutable(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"the nanoFramework reference surface {assembly} does not compile:\n" + string.Join("\n", errors));
            }

            references.Add(compilation.ToMetadataReference());
        }

        return references.ToImmutable();
    }

    /// <summary>The syntax and semantic checks.</summary>
    private sealed class Walker(SemanticModel model, bool isKernel, List<GuardViolation> violations) : CSharpSyntaxWalker(SyntaxWalkerDepth.Node)
    {
        private readonly HashSet<int> _floatLines = [];

        private void Report(SyntaxNode node, string construct, string message) => violations.Add(At(node.GetLocation(), construct, message));

        public override void VisitClassDeclaration(ClassDeclarationSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic class");
            base.VisitClassDeclaration(node);
        }

        public override void VisitStructDeclaration(StructDeclarationSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic struct");
            base.VisitStructDeclaration(node);
        }

        public override void VisitInterfaceDeclaration(InterfaceDeclarationSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic interface");
            base.VisitInterfaceDeclaration(node);
        }

        public override void VisitDelegateDeclaration(DelegateDeclarationSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic delegate");
            base.VisitDelegateDeclaration(node);
        }

        public override void VisitRecordDeclaration(RecordDeclarationSyntax node)
        {
            Report(node, "record", "records need generic equality support nanoFramework lacks; use a sealed class");
            base.VisitRecordDeclaration(node);
        }

        public override void VisitMethodDeclaration(MethodDeclarationSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic method");
            CheckAsync(node, node.Modifiers);
            CheckUnsafe(node, node.Modifiers);
            base.VisitMethodDeclaration(node);
        }

        public override void VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
        {
            CheckTypeParameters(node, node.TypeParameterList, "generic local function");
            CheckAsync(node, node.Modifiers);
            CheckUnsafe(node, node.Modifiers);
            base.VisitLocalFunctionStatement(node);
        }

        public override void VisitGenericName(GenericNameSyntax node)
        {
            Report(node, "generic type or method use", $"'{node}': nanoCLR 1.x cannot run generics (generic classes crash it, generic methods throw)");
            base.VisitGenericName(node);
        }

        public override void VisitArrayRankSpecifier(ArrayRankSpecifierSyntax node)
        {
            if (node.Rank > 1)
            {
                Report(node, "multi-dimensional array", $"'{node.Parent}': nanoCLR crashes on multi-dimensional arrays; use a flat array with computed offsets");
            }

            base.VisitArrayRankSpecifier(node);
        }

        public override void VisitPointerType(PointerTypeSyntax node)
        {
            Report(node, "pointer type", $"'{node}': unsafe code is not supported by nanoCLR");
            base.VisitPointerType(node);
        }

        public override void VisitFunctionPointerType(FunctionPointerTypeSyntax node)
        {
            Report(node, "function pointer", "unsafe code is not supported by nanoCLR");
            base.VisitFunctionPointerType(node);
        }

        public override void VisitUnsafeStatement(UnsafeStatementSyntax node)
        {
            Report(node, "unsafe block", "unsafe code is not supported by nanoCLR");
            base.VisitUnsafeStatement(node);
        }

        public override void VisitFixedStatement(FixedStatementSyntax node)
        {
            Report(node, "fixed statement", "pinning and pointers are not supported by nanoCLR");
            base.VisitFixedStatement(node);
        }

        public override void VisitStackAllocArrayCreationExpression(StackAllocArrayCreationExpressionSyntax node)
        {
            Report(node, "stackalloc", "stackalloc is not supported by nanoCLR; preallocate an array");
            base.VisitStackAllocArrayCreationExpression(node);
        }

        public override void VisitImplicitStackAllocArrayCreationExpression(ImplicitStackAllocArrayCreationExpressionSyntax node)
        {
            Report(node, "stackalloc", "stackalloc is not supported by nanoCLR; preallocate an array");
            base.VisitImplicitStackAllocArrayCreationExpression(node);
        }

        public override void VisitCheckedExpression(CheckedExpressionSyntax node)
        {
            if (node.Keyword.IsKind(SyntaxKind.CheckedKeyword))
            {
                Report(node, "checked arithmetic", $"'{node}': nanoCLR has no OverflowException; validate ranges explicitly");
            }

            base.VisitCheckedExpression(node);
        }

        public override void VisitCheckedStatement(CheckedStatementSyntax node)
        {
            if (node.Keyword.IsKind(SyntaxKind.CheckedKeyword))
            {
                Report(node, "checked arithmetic", "checked block: nanoCLR has no OverflowException; validate ranges explicitly");
            }

            base.VisitCheckedStatement(node);
        }

        public override void VisitInterpolatedStringExpression(InterpolatedStringExpressionSyntax node)
        {
            Report(node, "string interpolation", "$\"...\" lowers to String.Format with boxing on nanoFramework; concatenate with .ToString()");
            base.VisitInterpolatedStringExpression(node);
        }

        public override void VisitQueryExpression(QueryExpressionSyntax node)
        {
            Report(node, "LINQ query", "nanoFramework has no LINQ");
            base.VisitQueryExpression(node);
        }

        public override void VisitTupleType(TupleTypeSyntax node)
        {
            Report(node, "tuple", $"'{node}': tuples need System.ValueTuple (generic), which nanoFramework lacks");
            base.VisitTupleType(node);
        }

        public override void VisitTupleExpression(TupleExpressionSyntax node)
        {
            Report(node, "tuple", $"'{node}': tuples need System.ValueTuple (generic), which nanoFramework lacks");
            base.VisitTupleExpression(node);
        }

        public override void VisitParenthesizedVariableDesignation(ParenthesizedVariableDesignationSyntax node)
        {
            Report(node, "deconstruction", $"'{node}': deconstruction into tuples is not available on nanoFramework");
            base.VisitParenthesizedVariableDesignation(node);
        }

        public override void VisitAwaitExpression(AwaitExpressionSyntax node)
        {
            Report(node, "await", "nanoFramework has no Task/async support");
            base.VisitAwaitExpression(node);
        }

        public override void VisitYieldStatement(YieldStatementSyntax node)
        {
            Report(node, "yield (iterator)", "iterators allocate state machines; write an explicit loop");
            base.VisitYieldStatement(node);
        }

        public override void VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
        {
            CheckAsync(node, node.Modifiers);
            base.VisitAnonymousMethodExpression(node);
        }

        public override void VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
        {
            CheckAsync(node, node.Modifiers);
            base.VisitParenthesizedLambdaExpression(node);
        }

        public override void VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
        {
            CheckAsync(node, node.Modifiers);
            base.VisitSimpleLambdaExpression(node);
        }

        public override void VisitIdentifierName(IdentifierNameSyntax node)
        {
            if (node.Identifier.ValueText == "dynamic" && model.GetTypeInfo(node).Type is { TypeKind: TypeKind.Dynamic })
            {
                Report(node, "dynamic", "nanoFramework has no dynamic binder");
            }

            base.VisitIdentifierName(node);
        }

        public override void VisitInvocationExpression(InvocationExpressionSyntax node)
        {
            // System.Math lacks the long (and other integer) overloads of Max/Min/Abs/Sign/Clamp: such a
            // call still compiles by converting the integers to float or double — silently wrong on the
            // device. Reported when every argument is an integer but the chosen overload is floating.
            if (model.GetSymbolInfo(node).Symbol is IMethodSymbol method
                && method.ContainingType?.ToDisplayString() == "System.Math"
                && method.Name is "Max" or "Min" or "Abs" or "Sign" or "Clamp")
            {
                var args = node.ArgumentList.Arguments;
                var argTypes = args.Select(a => model.GetTypeInfo(a.Expression).Type).ToList();
                if (args.Count > 0 && argTypes.All(t => t is not null && IsInteger(t.SpecialType))
                    && method.Parameters.Any(p => IsFloating(p.Type.SpecialType)))
                {
                    string given = argTypes[0]!.ToDisplayString();
                    Report(node, $"Math.{method.Name}({given})",
                        $"'{node}': nanoFramework.System.Math has no {method.Name}({given}); this call converts to {method.Parameters[0].Type.ToDisplayString()} — write the integer comparison yourself");
                }
            }

            base.VisitInvocationExpression(node);
        }

        public override void DefaultVisit(SyntaxNode node)
        {
            if (isKernel && node is ExpressionSyntax or PredefinedTypeSyntax)
            {
                CheckFloat(node);
            }

            base.DefaultVisit(node);
        }

        private void CheckFloat(SyntaxNode node)
        {
            var type = node is PredefinedTypeSyntax p ? model.GetTypeInfo(p).Type : model.GetTypeInfo(node).Type;
            if (type is not null && (type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal))
            {
                int line = node.GetLocation().GetLineSpan().StartLinePosition.Line;
                if (_floatLines.Add(line))
                {
                    Report(node, "floating point in a kernel", $"'{node}' is {type.ToDisplayString()}: kernels use integer arithmetic only (double precision is off in default nanoFramework firmware, and results must match TFLM bit for bit)");
                }
            }
        }

        private void CheckTypeParameters(SyntaxNode node, TypeParameterListSyntax? list, string what)
        {
            if (list is not null)
            {
                Report(list, what, $"'{list}': nanoCLR 1.x cannot run generics (generic classes crash it, generic methods throw)");
            }
        }

        private void CheckAsync(SyntaxNode node, SyntaxTokenList modifiers)
        {
            foreach (var m in modifiers)
            {
                if (m.IsKind(SyntaxKind.AsyncKeyword))
                {
                    violations.Add(At(m.GetLocation(), "async", "nanoFramework has no Task/async support"));
                }
            }
        }

        private void CheckUnsafe(SyntaxNode node, SyntaxTokenList modifiers)
        {
            foreach (var m in modifiers)
            {
                if (m.IsKind(SyntaxKind.UnsafeKeyword))
                {
                    violations.Add(At(m.GetLocation(), "unsafe", "unsafe code is not supported by nanoCLR"));
                }
            }
        }

        public override void VisitFieldDeclaration(FieldDeclarationSyntax node)
        {
            CheckUnsafe(node, node.Modifiers);
            base.VisitFieldDeclaration(node);
        }

        private static bool IsInteger(SpecialType t) => t is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16
            or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Char;

        private static bool IsFloating(SpecialType t) => t is SpecialType.System_Single or SpecialType.System_Double;
    }
}
