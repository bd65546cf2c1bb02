#!/usr/bin/env bash
# The one place that builds nanoQuant for .NET nanoFramework on Linux, with the nanoCLR kit
# (../shared/nanoclr by default): C# 10 against the class libraries of nanoclr/libraries.txt (mscorlib from NuGet's
# nanoFramework.CoreLibrary, the rest from the kit), MetadataProcessor to .pe.
#
#   nanoclr/build.sh [--kit DIR] [-o OUT] [--tests] [--samples] [--quiet]
#
# Builds into OUT (default: artifacts/nanoclr in the repository):
#   NanoQuant.Device.dll/.pe/.pdbx/.xml   device/ + shared/ (exactly the files NanoQuant.Device.nfproj lists)
#   NanoQuant.NanoClr.Runner.exe/.pe      nanoclr/runner/ + hardware/common/DotProductBaseline.cs: the program
#                                         `nanoquant run/bench --runtime nanoclr` and the CI checks run on nanoCLR
#   with --tests:   NFUnitTest.dll/.pe    tests/NanoQuant.Device.nfTests (nanoFramework.TestFramework)
#   with --samples: NanoQuant.Samples.Esp32/.Stm32.exe/.pe  the board samples in hardware/
#   nuget/<assembly>.dll/.pe/.xml         the libraries.txt rows of source nuget, restored (PackageDownload) and copied
#   kit/                                  the kit with those in lib/ in place of its own (bin/nfcompile, bin/nfunittest,
#                                         lib/, mdp/): what everything here is compiled against and run with
# Kit: --kit DIR, else $NANOQUANT_NANOCLR_KIT, else ../shared/nanoclr beside the repository.
# Nothing is rebuilt when the sources, this script, nanoclr/libraries.txt and the libraries are unchanged (a content stamp).
# Prints one line per assembly built; exit code 1 (and the compiler's errors) on failure, 2 on bad usage.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KIT="${NANOQUANT_NANOCLR_KIT:-$root/../shared/nanoclr}"; OUT="$root/artifacts/nanoclr"; TESTS=0; SAMPLES=0; QUIET=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kit) KIT="$2"; shift 2;; -o) OUT="$2"; shift 2;; --tests) TESTS=1; shift;; --samples) SAMPLES=1; shift;;
    --quiet) QUIET=1; shift;;
    -h|--help) sed -n '2,19p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done
for f in bin/nfcompile bin/nanoclr mdp/mdp.dll lib/mscorlib.dll lib/mscorlib.pe; do
  [ -e "$KIT/$f" ] || { echo "error: nanoCLR kit not found or incomplete: '$KIT/$f' is missing (set --kit or NANOQUANT_NANOCLR_KIT)" >&2; exit 1; }
done
KIT="$(cd "$KIT" && pwd)"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
say() { [ "$QUIET" = 1 ] || echo "$@"; }
# Serialize concurrent builds into the same folder (tests run in parallel).
exec 9> "$OUT/.lock"; flock 9

# The class libraries (nanoclr/libraries.txt, the one list): the NuGet ones restored into the NuGet cache by a
# PackageDownload of exactly their version (a PackageReference gives NU1701: they target nanoFramework), copied
# into $OUT/nuget; $OUT/kit is the kit with those in its lib/ in place of its own.
LIBRARIES="$root/nanoclr/libraries.txt"
CACHE="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
mapfile -t NUGET < <(awk '!/^#/ && NF && $4 == "nuget" {print $1, $2, $3}' "$LIBRARIES")
missing=()
for row in "${NUGET[@]}"; do
  read -r asm pkg ver <<< "$row"
  [ -f "$CACHE/${pkg,,}/$ver/lib/$asm.pe" ] || missing+=("$row")
done
if [ "${#missing[@]}" -gt 0 ]; then
  restore="$OUT/restore"; mkdir -p "$restore"
  { echo '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>'
    for row in "${missing[@]}"; do read -r asm pkg ver <<< "$row"; echo "<PackageDownload Include=\"$pkg\" Version=\"[$ver]\" />"; done
    echo '</ItemGroup></Project>'; } > "$restore/restore.csproj"
  if ! log="$(DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$restore/restore.csproj" 2>&1)"; then
    echo "$log" >&2; echo "error: could not restore ${missing[*]} from NuGet (nanoclr/libraries.txt)" >&2; exit 1
  fi
fi
mkdir -p "$OUT/nuget" "$OUT/kit/bin" "$OUT/kit/lib"
cp "$KIT/bin/nfcompile" "$KIT/bin/nfunittest" "$OUT/kit/bin/"
ln -sfn "$KIT/bin/nanoclr" "$OUT/kit/bin/nanoclr"; ln -sfn "$KIT/mdp" "$OUT/kit/mdp"
for f in "$KIT"/lib/*; do ln -sfn "$f" "$OUT/kit/lib/$(basename "$f")"; done
for row in "${NUGET[@]}"; do
  read -r asm pkg ver <<< "$row"
  for ext in dll pe xml; do
    src="$CACHE/${pkg,,}/$ver/lib/$asm.$ext"
    [ -f "$src" ] || { echo "error: $pkg $ver has no lib/$asm.$ext (nanoclr/libraries.txt)" >&2; exit 1; }
    cp "$src" "$OUT/nuget/$asm.$ext"; rm -f "$OUT/kit/lib/$asm.$ext"; cp "$src" "$OUT/kit/lib/$asm.$ext"
  done
done

# A project's sources: exactly the <Compile Include> list of its .nfproj (for the device library a test keeps
# that list complete), as paths.
sources_of() {
  local dir; dir="$(dirname "$1")"
  sed -n 's/.*<Compile Include="\([^"]*\.cs\)".*/\1/p' "$1" | tr '\\' '/' | sed "s|^|$dir/|"
}
mapfile -t DEVICE < <(sources_of "$root/device/NanoQuant.Device.nfproj")
RUNNER=("$root"/nanoclr/runner/*.cs "$root/hardware/common/DotProductBaseline.cs")
TESTPROJ="$root/tests/NanoQuant.Device.nfTests/NanoQuant.Device.nfTests.nfproj"
SAMPLEPROJS=("$root/hardware/esp32/NanoQuant.Samples.Esp32.nfproj" "$root/hardware/stm32/NanoQuant.Samples.Stm32.nfproj")
TESTSRC=(); [ "$TESTS" = 1 ] && mapfile -t TESTSRC < <(sources_of "$TESTPROJ"; ls "$root"/tests/NanoQuant.Device.nfTests/Resources.resx "$root"/tests/NanoQuant.Device.nfTests/Resources/*)
SAMPLESRC=(); [ "$SAMPLES" = 1 ] && mapfile -t SAMPLESRC < <(for p in "${SAMPLEPROJS[@]}"; do sources_of "$p"; ls "$(dirname "$p")/Resources.resx"; done; ls "$root"/hardware/common/Resources/*)

# One content stamp per part (library + runner, tests, samples): a part is rebuilt only when its inputs changed.
stamp_of() { { echo "$KIT"; cat "$0" "$LIBRARIES" "$@" "$OUT"/kit/lib/*.dll | sha256sum; } | sha256sum | cut -c1-64; }
fresh() { [ -f "$OUT/.stamp-$1" ] && [ "$(cat "$OUT/.stamp-$1")" = "$2" ]; }
core="$(stamp_of "${DEVICE[@]}" "${RUNNER[@]}")"

nf() { local log; log="$("$OUT/kit/bin/nfcompile" "$@" 2>&1)" || { echo "$log" >&2; echo "error: nanoFramework build failed (${*: -1})" >&2; exit 1; }; say "$(echo "$log" | tail -1)"; }
DEVREFS=(-r System.Math -r System.IO.Streams -r nanoFramework.Runtime.Events -r nanoFramework.System.Text -r System.IO.FileSystem)

if fresh core "$core"; then say "nanoclr/build.sh: NanoQuant.Device and the runner are up to date in $OUT"; else
rm -f "$OUT/.stamp-core"
nf -o "$OUT/NanoQuant.Device" -t library "${DEVREFS[@]}" --csc "-doc:$OUT/NanoQuant.Device.xml" --csc -warnaserror+ "${DEVICE[@]}"
nf -o "$OUT/NanoQuant.NanoClr.Runner" -t exe "${DEVREFS[@]}" -r nanoFramework.Runtime.Native -r nanoFramework.ResourceManager \
   -r "$OUT/NanoQuant.Device.dll" "${RUNNER[@]}"
echo "$core" > "$OUT/.stamp-core"
fi

# .resx -> .resources (byte[] file references), embedded under the name ResourceManager looks for.
resources() {
  local resx="$1" out="$2" log
  if ! log="$(cd "$root" && DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet run nanoclr/tools/resx2resources.cs -- "$resx" "$out" 2>&1)"; then
    echo "$log" >&2; echo "error: could not convert $resx" >&2; exit 1
  fi
}
TESTREFS=(-r nanoFramework.Runtime.Native -r nanoFramework.ResourceManager -r "$OUT/NanoQuant.Device.dll")
tests="$(stamp_of "${DEVICE[@]}" "${TESTSRC[@]}")"
if [ "$TESTS" = 1 ] && ! fresh tests "$tests"; then
  # nanoFramework's UnitTestLauncher loads the test assembly by the name NFUnitTest.
  resources "$root/tests/NanoQuant.Device.nfTests/Resources.resx" "$OUT/NFUnitTest.Resources.resources"
  mapfile -t src < <(sources_of "$TESTPROJ")
  nf -o "$OUT/NFUnitTest" -t library "${DEVREFS[@]}" "${TESTREFS[@]}" -r nanoFramework.TestFramework \
     --resource "$OUT/NFUnitTest.Resources.resources,NanoQuant.Device.NfTests.Resources.resources" "${src[@]}"
  echo "$tests" > "$OUT/.stamp-tests"
fi
samples="$(stamp_of "${DEVICE[@]}" "${SAMPLESRC[@]}")"
if [ "$SAMPLES" = 1 ] && ! fresh samples "$samples"; then
  for p in "${SAMPLEPROJS[@]}"; do
    name="$(basename "$p" .nfproj)"
    resources "$(dirname "$p")/Resources.resx" "$OUT/$name.Resources.resources"
    mapfile -t src < <(sources_of "$p")
    nf -o "$OUT/$name" -t exe "${DEVREFS[@]}" "${TESTREFS[@]}" --resource "$OUT/$name.Resources.resources,$name.Resources.resources" "${src[@]}"
  done
  echo "$samples" > "$OUT/.stamp-samples"
fi
