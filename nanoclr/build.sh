#!/usr/bin/env bash
# The one place that builds nanoQuant for .NET nanoFramework on Linux, with the nanoCLR kit
# (../shared/nanoclr by default): C# 10 against the kit's class libraries, MetadataProcessor to .pe.
#
#   nanoclr/build.sh [--kit DIR] [-o OUT] [--tests] [--samples] [--quiet]
#
# Builds into OUT (default: artifacts/nanoclr in the repository):
#   NanoQuant.Device.dll/.pe/.pdbx/.xml   device/ + shared/ (exactly the files NanoQuant.Device.nfproj lists)
#   NanoQuant.NanoClr.Runner.exe/.pe      nanoclr/runner/ + hardware/common/DotProductBaseline.cs: the program
#                                         `nanoquant run/bench --runtime nanoclr` and the CI checks run on nanoCLR
#   with --tests:   NFUnitTest.dll/.pe    tests/NanoQuant.Device.nfTests (nanoFramework.TestFramework)
#   with --samples: NanoQuant.Samples.Esp32/.Stm32.exe/.pe  the board samples in hardware/
# Kit: --kit DIR, else $NANOQUANT_NANOCLR_KIT, else ../shared/nanoclr beside the repository.
# Nothing is rebuilt when the sources, this script and the kit's libraries are unchanged (a content stamp).
# Prints one line per assembly built; exit code 1 (and the compiler's errors) on failure, 2 on bad usage.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KIT="${NANOQUANT_NANOCLR_KIT:-$root/../shared/nanoclr}"; OUT="$root/artifacts/nanoclr"; TESTS=0; SAMPLES=0; QUIET=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kit) KIT="$2"; shift 2;; -o) OUT="$2"; shift 2;; --tests) TESTS=1; shift;; --samples) SAMPLES=1; shift;;
    --quiet) QUIET=1; shift;;
    -h|--help) sed -n '2,17p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done
for f in bin/nfcompile bin/nanoclr mdp/mdp.dll lib/mscorlib.dll lib/mscorlib.pe; do
  [ -e "$KIT/$f" ] || { echo "error: nanoCLR kit not found or incomplete: '$KIT/$f' is missing (set --kit or NANOQUANT_NANOCLR_KIT)" >&2; exit 1; }
done
KIT="$(cd "$KIT" && pwd)"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
say() { [ "$QUIET" = 1 ] || echo "$@"; }

# The device library's sources: exactly the <Compile Include> list of the .nfproj (a test keeps it complete).
device_sources() {
  sed -n 's/.*<Compile Include="\([^"]*\.cs\)".*/\1/p' "$root/device/NanoQuant.Device.nfproj" | tr '\\' '/' | sed "s|^|$root/device/|"
}
mapfile -t DEVICE < <(device_sources)
RUNNER=("$root"/nanoclr/runner/*.cs "$root/hardware/common/DotProductBaseline.cs")
TESTSRC=(); [ "$TESTS" = 1 ] && mapfile -t TESTSRC < <(find "$root/tests/NanoQuant.Device.nfTests" -name '*.cs' -not -path '*/bin/*' -not -path '*/obj/*' | sort)
SAMPLESRC=(); [ "$SAMPLES" = 1 ] && mapfile -t SAMPLESRC < <(find "$root/hardware" -name '*.cs' -o -name '*.resx' -o -name '*.nq' -o -name '*.bin' | grep -v '/bin/\|/obj/' | sort)

# Serialize concurrent builds into the same folder (tests run in parallel).
exec 9> "$OUT/.lock"; flock 9
stamp_of() { { echo "$KIT $TESTS $SAMPLES"; cat "$0" "$@" "$KIT"/lib/*.dll | sha256sum; } | sha256sum | cut -c1-64; }
stamp="$(stamp_of "${DEVICE[@]}" "${RUNNER[@]}" "${TESTSRC[@]}" "${SAMPLESRC[@]}")"
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then say "nanoclr/build.sh: up to date in $OUT"; exit 0; fi
rm -f "$OUT/.stamp"

nf() { local log; log="$("$KIT/bin/nfcompile" "$@" 2>&1)" || { echo "$log" >&2; echo "error: nanoFramework build failed (${*: -1})" >&2; exit 1; }; say "$(echo "$log" | tail -1)"; }
DEVREFS=(-r System.Math -r System.IO.Streams -r nanoFramework.Runtime.Events -r nanoFramework.System.Text -r System.IO.FileSystem)

nf -o "$OUT/NanoQuant.Device" -t library "${DEVREFS[@]}" --csc "-doc:$OUT/NanoQuant.Device.xml" --csc -warnaserror+ "${DEVICE[@]}"
nf -o "$OUT/NanoQuant.NanoClr.Runner" -t exe "${DEVREFS[@]}" -r nanoFramework.Runtime.Native -r nanoFramework.ResourceManager \
   -r "$OUT/NanoQuant.Device.dll" "${RUNNER[@]}"
echo "$stamp" > "$OUT/.stamp"
