using System.Text.RegularExpressions;

namespace NanoQuant.Tests.Cli;

/// <summary>
/// Every example of the tool's output in README.md and docs/*.md — a fenced block whose lines start with
/// `$ nanoquant …` — is run here and its lines are checked against what the tool prints now, so the
/// docs cannot drift from the tool. A block's lines after a `$` line must appear, in order, in that
/// command's output (lines of `...` or `…` leave lines out; timings "0.43 s" and the temporary folder
/// are the only things that may differ). With NQ_UPDATE_DOCS=1 the test rewrites each line that no longer
/// matches with the output line sharing its longest beginning (then review the diff). File names resolve against the repository, samples/sine,
/// ../shared/models and ../shared/data; files the commands write go to a temporary folder.
/// </summary>
public sealed class DocExampleTests : CliHarness
{
    /// <summary>Files an example uses that an earlier step of the docs made: how to make them.</summary>
    private static readonly Dictionary<string, string[]> Prerequisites = new()
    {
        ["kws.nq"] = ["convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", "kws.nq"],
    };

    public static IEnumerable<object[]> Documents() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(SharedResources.ProjectRoot, "docs"), "*.md").Select(p => Path.Combine("docs", Path.GetFileName(p))))
            .Where(p => Examples(p).Any())
            .Select(p => new object[] { p });

    [Fact]
    public void The_docs_hold_examples_to_check()
    {
        var documents = Documents().Select(d => (string)d[0]).ToList();
        Assert.Contains("README.md", documents);
        Assert.Contains(Path.Combine("docs", "quantization.md"), documents);
        Assert.True(Examples("README.md").Count() >= 2);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Examples_match_the_tools_output(string document)
    {
        Directory.CreateDirectory(Temp("out"));
        string path = Path.Combine(SharedResources.ProjectRoot, document);
        string[] docLines = File.ReadAllLines(path);
        bool update = Environment.GetEnvironmentVariable("NQ_UPDATE_DOCS") == "1";
        foreach (var (line, command, expected) in Examples(document))
        {
            string output = "";
            foreach (string step in command.Split(" && "))
            {
                var args = step.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Resolve).ToArray();
                output += Ok(args).Replace(Folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
            }

            var raw = output.Split('\n').Select(l => l.TrimEnd()).ToList();
            var actual = raw.Select(Normalize).ToList();
            int at = 0;
            for (int k = 0; k < expected.Count; k++)
            {
                string want = Normalize(expected[k]);
                if (want.Length == 0 || want.Trim() is "..." or "…")
                {
                    continue;
                }

                int found = actual.FindIndex(at, l => l == want);
                if (found < 0 && update)
                {
                    found = Enumerable.Range(at, actual.Count - at).MaxBy(a => CommonPrefix(actual[a], want));
                    string docLine = docLines[line + k];
                    docLines[line + k] = docLine[..(docLine.Length - expected[k].Length)] + raw[found];
                }

                Assert.True(found >= 0, $"{document}:{line}: `{command}` no longer prints\n{want}\n(in this order); it prints:\n{output}\n(NQ_UPDATE_DOCS=1 rewrites the docs from the output)");
                at = found + 1;
            }
        }

        if (update)
        {
            File.WriteAllLines(path, docLines);
        }
    }

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
        {
            n++;
        }

        return n;
    }

    /// <summary>The `$ nanoquant` lines of a document's fenced blocks: the line number, the command and the lines shown after it.</summary>
    private static IEnumerable<(int Line, string Command, List<string> Expected)> Examples(string document)
    {
        string[] lines = File.ReadAllLines(Path.Combine(SharedResources.ProjectRoot, document));
        bool inBlock = false;
        string indent = "";
        (int Line, string Command, List<string> Expected)? current = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    yield return current.Value;
                    current = null;
                }

                inBlock = !inBlock;
                indent = lines[i][..(lines[i].Length - trimmed.Length)];
                continue;
            }

            if (!inBlock)
            {
                continue;
            }

            string text = lines[i].StartsWith(indent, StringComparison.Ordinal) ? lines[i][indent.Length..] : lines[i];
            if (text.StartsWith("$ nanoquant ", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    yield return current.Value;
                }

                current = (i + 1, text[2..], []);
            }
            else
            {
                current?.Expected.Add(text);
            }
        }
    }

    private string Resolve(string token)
    {
        if (token.StartsWith('-') || !Regex.IsMatch(token, @"\.(tflite|nq|npy|md|html|json)$"))
        {
            return token;
        }

        foreach (string folder in new[]
        {
            SharedResources.ProjectRoot, Path.Combine(SharedResources.ProjectRoot, "samples", "sine"), SharedResources.Models,
            Path.Combine(SharedResources.Models, "models16"), Path.Combine(SharedResources.Models, "extra"),
            Path.Combine(SharedResources.Data, "kws"), Path.Combine(SharedResources.Data, "cifar10"),
        })
        {
            string path = Path.Combine(folder, token);
            if (File.Exists(path))
            {
                return path;
            }
        }

        string written = Temp(token);
        if (!File.Exists(written) && Prerequisites.TryGetValue(token, out string[]? make))
        {
            Ok(make.Select(a => a == token ? written : a).ToArray());
        }

        return written;
    }

    /// <summary>Trailing blanks dropped, timings ("0.43 s") masked.</summary>
    private static string Normalize(string line) => Regex.Replace(line.TrimEnd(), @"\b\d+\.\d+ s\b", "#.## s");
}
