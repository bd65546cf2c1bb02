#!/usr/bin/env bash
# Builds nanoQuant's native backend for the Linux nanoCLR, with the nanoCLR kit (../shared/nanoclr):
#
#   native/build.sh [--kit DIR] [-o OUT] [--device-out DIR] [--pe-only | --clr-only] [--quiet]
#
# into OUT (default artifacts/nanoclr-native in the repository):
#   NanoQuant.Native.dll/.pe      the Interop assembly (native/NanoQuant.Native), compiled against the
#                                 device library that nanoclr/build.sh builds
#   clr/nanoclr (+ runner, .so)   nanoCLR built from the kit's sources with the C kernels
#                                 (native/kernels) and the Interop glue (native/interop) compiled in
# --pe-only: the Interop assembly only (what the emulated boards' native firmware, hardware/cortex-m/build.sh
# --kernels native|cmsis-nn, loads beside its own nanoCLR). --clr-only: the nanoCLR alone, without the device library
# or the Interop assembly (what the packed nanoquant tool does: it carries NanoQuant.Native.pe, not the device sources).
# --device-out DIR: where nanoclr/build.sh builds the device library the Interop assembly is compiled against
# (default artifacts/nanoclr; the tool's pack uses its own build).
# Steps: nanoclr/build.sh (device library) -> csc + MetadataProcessor for NanoQuant.Native, regenerating
# the native skeleton and failing if it differs from native/interop (a changed extern signature needs
# native/interop updated: the checksum must match) -> stage native/interop + the kernels, each .c wrapped
# in a .cpp (the kit's --interop build compiles *.cpp) -> the kit's src/build-nanoclr.sh --interop
# (about 2-4 minutes on 2 cores). Nothing is rebuilt when the inputs are unchanged (a content stamp).
# Needs cmake >= 3.24, ninja and g++ (apt-get install -y cmake ninja-build g++).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KIT="${NANOQUANT_NANOCLR_KIT:-$root/../shared/nanoclr}"; OUT="$root/artifacts/nanoclr-native"; QUIET=0; PE_ONLY=0; CLR_ONLY=0
DEVICE_OUT="$root/artifacts/nanoclr"
while [ $# -gt 0 ]; do
  case "$1" in
    --kit) KIT="$2"; shift 2;; -o) OUT="$2"; shift 2;; --quiet) QUIET=1; shift;; --pe-only) PE_ONLY=1; shift;;
    --clr-only) CLR_ONLY=1; shift;; --device-out) DEVICE_OUT="$2"; shift 2;;
    -h|--help) sed -n '2,24p' "$0"; exit 0;;
    *) echo "native/build.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done
say() { [ "$QUIET" = 1 ] || echo "$@"; }
[ -x "$KIT/src/build-nanoclr.sh" ] || { echo "error: nanoCLR kit not found or without its sources at '$KIT' (src/build-nanoclr.sh is missing; set --kit or NANOQUANT_NANOCLR_KIT)" >&2; exit 1; }
KIT="$(cd "$KIT" && pwd)"
[ "$PE_ONLY" = 1 ] || for tool in cmake ninja g++; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is needed to build nanoCLR (apt-get install -y cmake ninja-build g++)" >&2; exit 1; }
done
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
exec 9> "$OUT/.lock"; flock 9
skel="$(mktemp -d)"; stage="$(mktemp -d)"
trap 'rm -rf "$skel" "$stage"' EXIT

if [ "$CLR_ONLY" = 0 ]; then
bash "$root/nanoclr/build.sh" --kit "$KIT" -o "$DEVICE_OUT" --quiet
COMPILE_KIT="$DEVICE_OUT/kit"   # the kit with nanoclr/libraries.txt's NuGet libraries (mscorlib), as the device library is built

# The Interop assembly and its skeleton, rebuilt only when its inputs changed (a content stamp: other processes,
# e.g. emulated boards' runs, may be loading the .pe meanwhile).
pe_stamp="$(cat "$0" "$root"/native/NanoQuant.Native/*.cs "$root"/native/interop/NanoQuant_Native.* "$DEVICE_OUT/NanoQuant.Device.dll" "$COMPILE_KIT"/lib/*.dll | sha256sum | cut -c1-64)"
if [ -f "$OUT/NanoQuant.Native.pe" ] && [ "$(cat "$OUT/.stamp-pe" 2>/dev/null)" = "$pe_stamp" ]; then
  say "NanoQuant.Native.pe: up to date in $OUT"
else
rm -f "$OUT/.stamp-pe"
"$COMPILE_KIT/bin/nfcompile" -o "$OUT/NanoQuant.Native" -t library -r "$DEVICE_OUT/NanoQuant.Device.dll" --csc -warnaserror+ \
  "$root"/native/NanoQuant.Native/*.cs > "$OUT/nfcompile.log" 2>&1 || { cat "$OUT/nfcompile.log" >&2; exit 1; }
hints=(-loadHints mscorlib "$COMPILE_KIT/lib/mscorlib.dll" -loadHints NanoQuant.Device "$DEVICE_OUT/NanoQuant.Device.dll")
for lib in System.Math System.IO.Streams System.IO.FileSystem nanoFramework.Runtime.Events nanoFramework.System.Text; do
  hints+=(-loadHints "$lib" "$COMPILE_KIT/lib/$lib.dll")
done
dotnet "$KIT/mdp/mdp.dll" "${hints[@]}" -parse "$OUT/NanoQuant.Native.dll" -compile "$OUT/NanoQuant.Native.pe" false \
  -generateskeleton "$skel" NanoQuant_Native NanoQuant.Native true > "$OUT/mdp.log" 2>&1 || { cat "$OUT/mdp.log" >&2; exit 1; }
for f in NanoQuant_Native.cpp NanoQuant_Native.h; do
  if ! diff -q <(tr -d '\r' < "$skel/$f") <(tr -d '\r' < "$root/native/interop/$f") >/dev/null; then
    echo "error: native/interop/$f differs from what MetadataProcessor generates for NanoQuant.Native (an extern signature" >&2
    echo "changed?): copy $f from a fresh skeleton (see native/README.md) and bump AssemblyNativeVersion" >&2
    diff <(tr -d '\r' < "$skel/$f") <(tr -d '\r' < "$root/native/interop/$f") >&2 || true
    exit 1
  fi
done
say "NanoQuant.Native.pe: $(grep -o 'checksum: 0x[0-9A-F]*' "$OUT/mdp.log" | head -1), skeleton matches native/interop"
echo "$pe_stamp" > "$OUT/.stamp-pe"
fi
[ "$PE_ONLY" = 1 ] && exit 0
fi

# nanoCLR with the kernels, cached by the content of everything that goes into it.
stamp="$( { cat "$0" "$root"/native/interop/* "$root"/native/kernels/*.[ch] "$root"/native/kernels/*/*.c "$KIT/src/build-nanoclr.sh" "$KIT/src/"*.tar.gz; } | sha256sum | cut -c1-64)"
if [ -x "$OUT/clr/nanoclr" ] && [ -f "$OUT/clr/.stamp" ] && [ "$(cat "$OUT/clr/.stamp")" = "$stamp" ]; then
  say "nanoCLR with native kernels: up to date in $OUT/clr"
  exit 0
fi
mkdir -p "$stage/NanoQuantNative/kernels"
cp "$root"/native/interop/* "$stage/NanoQuantNative/"
cp "$root"/native/kernels/*.c "$root"/native/kernels/*.h "$stage/NanoQuantNative/kernels/"
cp "$root"/native/kernels/*.h "$stage/NanoQuantNative/"
for c in "$root"/native/kernels/*.c; do
  name="$(basename "$c" .c)"
  printf '// Generated by native/build.sh: the C kernel %s.c compiled into nanoCLR (the kit builds *.cpp).\n#include "kernels/%s.c"\n' "$name" "$name" \
    > "$stage/NanoQuantNative/nq_kernel_$name.cpp"
done
say "building nanoCLR with the native kernels (the kit's src/build-nanoclr.sh --interop; a few minutes, once)..."
rm -rf "$OUT/clr.new"
if ! "$KIT/src/build-nanoclr.sh" "$OUT/clr.new" --interop "$stage/NanoQuantNative" > "$OUT/build-nanoclr.log" 2>&1; then
  tail -40 "$OUT/build-nanoclr.log" >&2
  echo "error: the nanoCLR build failed (log: $OUT/build-nanoclr.log)" >&2
  exit 1
fi
rm -rf "$OUT/clr"; mv "$OUT/clr.new" "$OUT/clr"
echo "$stamp" > "$OUT/clr/.stamp"
say "nanoCLR with native kernels: $OUT/clr/nanoclr"
