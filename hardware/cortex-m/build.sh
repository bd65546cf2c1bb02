#!/usr/bin/env bash
# Builds nanoQuant's nanoCLR firmware for an emulated Cortex-M board (QEMU), with Debian's arm-none-eabi
# toolchain, from the nanoCLR kit's nf-interpreter sources (../shared/nanoclr/src) plus the bare-metal
# platform layer in hardware/cortex-m/platform. Nothing is downloaded.
#
#   hardware/cortex-m/build.sh --board mps2-an500|mps2-an386 [--kernels managed|native|cmsis-nn] [--kit DIR] [--nn-libs DIR]
#                              [-o OUT] [-j N] [--quiet] [--print-dir]
#
#   mps2-an500  Cortex-M7 (fpv5-d16), the runtime name cortex-m7
#   mps2-an386  Cortex-M4 (fpv4-sp-d16), the runtime name cortex-m4
#
#   --kernels managed   nanoCLR alone, as stock firmware is (default)
#   --kernels native    plus the NanoQuant.Native Interop assembly (native/interop) and nanoQuant's C kernels
#                       (native/kernels, C99 with their Armv7E-M DSP paths: -mcpu defines __ARM_FEATURE_DSP)
#   --kernels cmsis-nn  the same, plus ARM's CMSIS-NN for the conv and depthwise shapes where it is faster than
#                       nanoQuant's DSP kernels (dispatch.c's rule table; native/kernels/cmsis_nn, -DNQ_VENDOR_CMSIS_NN;
#                       CMSIS-NN from --nn-libs, default ../shared/nn-libs)
#   The native images run NanoQuant.Native.pe (native/build.sh --pe-only builds it) beside the device library.
#
# The image goes to OUT/<board>[-native|-cmsis-nn]-<hash>/ (default OUT: artifacts/cortex-m in the repository),
# the hash covering this script, the platform layer, the kit's source tarball, the compiler version and (native
# images) native/interop, native/kernels and the CMSIS-NN tarball, so an unchanged input set is never rebuilt:
#   nanoclr.elf   the firmware (QEMU loads it with -kernel)
#   nanoclr       wrapper: `nanoclr A.pe B.pe …` runs the firmware in QEMU (run-qemu.sh, copied beside it, so the
#                 folder stands alone) with those .pe files as semihosting arguments — the `--nanoclr PATH` that
#                 `nanoquant run` takes
#   build.log     the compiler's output
#   size.txt      text/data/bss (arm-none-eabi-size)
# The last line printed is the folder (--print-dir: only that, without building). Exit 1 with an `error:` line when the toolchain is missing or the
# build fails (its log is kept in OUT/build-<board>[-kernels].log; a failed build leaves no image folder), 2 on bad usage.
# The packed nanoquant tool carries this script, platform/, native/interop and native/kernels, and runs it with
# -o in the user's cache when --runtime cortex-m7|cortex-m4 first needs an image.
#
# The kit's sources are compiled as they are, except (applied to the unpacked tarball, never committed):
#   nanoCLR_Runtime.h  its POSIX branch of the structure-size checks is taken for a 32-bit POSIX host too
#   nanoHAL.h          the POSIX branch of GLOBAL_LOCK is taken before the __arm__ one
#   Target_BlockStorage.cpp  BlockStorageStream_Initialize's second parameter declared as the header has it
#                      (unsigned int; uint32_t is unsigned long on arm-none-eabi)
# and four POSIX files that need an operating system are replaced by platform/platform.cpp. The native images
# also add g_CLR_AssemblyNative_NanoQuant_Native to posix_stubs.cpp's table of native assemblies (as the kit's
# build-nanoclr.sh --interop does).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
KIT="${NANOQUANT_NANOCLR_KIT:-$root/../shared/nanoclr}"; OUT="$root/artifacts/cortex-m"; BOARD=""; JOBS=2; QUIET=0; PRINT_DIR=0
KERNELS=managed; NN_LIBS="${NANOQUANT_NN_LIBS:-$root/../shared/nn-libs}"
while [ $# -gt 0 ]; do
  case "$1" in
    --board) BOARD="${2:-}"; shift 2;; --kit) KIT="$2"; shift 2;; -o) OUT="$2"; shift 2;; -j) JOBS="$2"; shift 2;;
    --kernels) KERNELS="${2:-}"; shift 2;; --nn-libs) NN_LIBS="$2"; shift 2;;
    --quiet) QUIET=1; shift;; --print-dir) PRINT_DIR=1; shift;;
    -h|--help) sed -n '2,40p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done
case "$BOARD" in
  mps2-an500|cortex-m7) BOARD=mps2-an500; CPU=(-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16); PSRAM=0x60000000; NAME="Cortex-M7 (QEMU mps2-an500)";;
  mps2-an386|cortex-m4) BOARD=mps2-an386; CPU=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16); PSRAM=0x21000000; NAME="Cortex-M4 (QEMU mps2-an386)";;
  *) echo "build.sh: --board mps2-an500 (cortex-m7) or mps2-an386 (cortex-m4) is needed" >&2; exit 2;;
esac
case "$KERNELS" in
  managed) SUFFIX="";; native|cmsis-nn) SUFFIX="-$KERNELS";;
  *) echo "build.sh: --kernels managed, native or cmsis-nn" >&2; exit 2;;
esac
say() { [ "$QUIET" = 1 ] || echo "$@" >&2; }
for tool in arm-none-eabi-gcc arm-none-eabi-g++ arm-none-eabi-size; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found: the Cortex-M firmware needs Debian's Arm toolchain (apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)" >&2; exit 1; }
done
TARBALL="$KIT/src/nf-interpreter-posix-min-src.tar.gz"
[ -f "$TARBALL" ] || { echo "error: nanoCLR kit sources not found: '$TARBALL' is missing (set --kit or NANOQUANT_NANOCLR_KIT)" >&2; exit 1; }
CMSIS_TARBALL=""
if [ "$KERNELS" = cmsis-nn ]; then
  CMSIS_TARBALL="$(ls "$NN_LIBS"/cmsis-nn-*.tar.gz 2>/dev/null | head -1)"
  [ -n "$CMSIS_TARBALL" ] || { echo "error: CMSIS-NN sources not found: no cmsis-nn-*.tar.gz in '$NN_LIBS' (set --nn-libs or NANOQUANT_NN_LIBS)" >&2; exit 1; }
fi
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"

native_inputs() { [ "$KERNELS" = managed ] || cat "$root"/native/interop/* "$root"/native/kernels/*.[ch] "$root"/native/kernels/cmsis_nn/*.[ch]; [ -z "$CMSIS_TARBALL" ] || sha256sum < "$CMSIS_TARBALL"; }
hash="$( { echo "$BOARD $KERNELS"; arm-none-eabi-g++ --version | head -1; cat "$0" "$here"/run-qemu.sh "$here"/platform/*; sha256sum < "$TARBALL"; native_inputs; } | sha256sum | cut -c1-16)"
DIR="$OUT/$BOARD$SUFFIX-$hash"
[ "$PRINT_DIR" = 1 ] && { echo "$DIR"; exit 0; }
exec 9> "$OUT/.lock-$BOARD"; flock 9
if [ -f "$DIR/nanoclr.elf" ] && [ -x "$DIR/nanoclr" ]; then
  say "nanoCLR firmware for $BOARD ($KERNELS kernels): up to date in $DIR"
  echo "$DIR"; exit 0
fi

rm -rf "$OUT/$BOARD$SUFFIX"-*.new; mkdir -p "$DIR.new"
LOG="$OUT/build-$BOARD$SUFFIX.log"; : > "$LOG"
# The kit's sources are unpacked into a fixed folder (the flags, hence the compiled objects, stay the same
# from build to build); objects of kit sources are kept in .obj-<board>-<key>, the key covering the tarball,
# this script and the compiler, so editing only the platform layer recompiles only it.
WORK="$OUT/.work-$BOARD"
rm -rf "$WORK"; mkdir -p "$WORK"
# Whatever stops the build leaves no half image: only a complete one is moved to $DIR.
trap 'rm -rf "$WORK" "$DIR.new"' EXIT
fail() { echo "error: the nanoCLR firmware build for $BOARD ($KERNELS kernels) failed: $1 (log: $LOG)" >&2; exit 1; }
tar -xzf "$TARBALL" -C "$WORK" >> "$LOG" 2>&1 || fail "the kit's source tarball '$TARBALL' could not be unpacked"
NF="$WORK/nf-interpreter"; POSIX="$NF/targets/posix"

# Build-time fixes of the kit's sources (each checked: a kit whose sources changed fails here, not later).
patch_line() { # FILE FROM TO
  grep -qF -- "$2" "$1" || fail "the kit's $(basename "$1") has no line '$2' to adapt"
  python3 - "$1" "$2" "$3" <<'PY'
import sys
p, a, b = sys.argv[1:]
s = open(p).read()
open(p, 'w').write(s.replace(a, b))
PY
}
patch_line "$NF/src/CLR/Include/nanoCLR_Runtime.h" \
  "#if defined(PLATFORM_POSIX_HOST) && defined(__LP64__)
// 64-bit POSIX host: structure sizes" \
  "#if defined(PLATFORM_POSIX_HOST)
// 64-bit POSIX host: structure sizes"
patch_line "$NF/src/HAL/Include/nanoHAL.h" "#elif defined(__arm__) || defined(PLATFORM_ESP32)" \
  "#elif (defined(__arm__) && !defined(PLATFORM_POSIX_HOST)) || defined(PLATFORM_ESP32)"
patch_line "$POSIX/nanoCLR/Target_BlockStorage.cpp" "BlockStorageStream_Initialize(BlockStorageStream *s, uint32_t u)" \
  "BlockStorageStream_Initialize(BlockStorageStream *s, unsigned int u)"

# The sources and include folders of the kit's POSIX CMake project, minus the four OS-bound files, plus the
# harness (main.cpp: reads the .pe files named on the command line) and the platform layer.
CML="$WORK/CMakeLists.txt"; tr -d '\r' < "$POSIX/nanoCLR/CMakeLists.txt" > "$CML"
mapfile -t SRCS < <(
  { awk '/^set\(NANOCLR_POSIX_SOURCES/{f=1;next} f&&/^\)/{f=0} f{print $1}' "$CML" | sed "s|^|$POSIX/nanoCLR/|"
    grep -o '\${REPO_ROOT}/src/[^ )]*\.c\(pp\)\?' "$CML" | sed "s|\${REPO_ROOT}|$NF|"
    ls "$NF"/src/CLR/CorLib/*.cpp; echo "$POSIX/nanoCLR/main.cpp"; } \
  | grep -v "[*]"   | grep -Ev '/(Memory|targetHAL_Time|targetPAL_Events|targetPAL_Time)\.cpp$' | sort -u)
mapfile -t INCS < <(awk '/^target_include_directories\($/{getline; if ($1=="nanoFramework.nanoCLR") f=1; next} f&&/^\)/{f=0} f&&/\$\{/{print $1}' "$CML" \
  | sed -e "s|\${CMAKE_CURRENT_SOURCE_DIR}|$POSIX/nanoCLR|" -e "s|\${REPO_ROOT}|$NF|")
[ "${#SRCS[@]}" -gt 100 ] && [ "${#INCS[@]}" -gt 10 ] || fail "could not read the source list of the kit's CMake project (${#SRCS[@]} sources, ${#INCS[@]} include folders)"
for f in "${SRCS[@]}"; do [ -f "$f" ] || fail "source '$f' of the kit's CMake project is missing"; done

DEFS=(-DPLATFORM_POSIX_HOST=1 -DNANOCLR_HOST_POSIX=1 -DNANOCLR_HOST_APPLE=0 -DNANOCLR_HOST_LINUX=1 -DNANOCLR_HOST_WINDOWS=0
      -DNANOCLR_POSIX_VERSION_STRING='"0.1.0"' "-DNANOCLR_PLATFORM_NAME=\"$NAME\"" -DNANO_POSIX_ENABLE_SMOKE=1
      "-DNQ_PSRAM_BASE=${PSRAM}u")
COMMON=("${CPU[@]}" -Os -g0 -ffunction-sections -fdata-sections -fno-common "${DEFS[@]}" "${INCS[@]/#/-I}")
CXXFLAGS=("${COMMON[@]}" -std=gnu++20 -Wno-maybe-uninitialized -fvisibility=hidden)
CFLAGS=("${COMMON[@]}" -std=gnu11)
OWN=(-Wall -Wextra -Werror)

say "building nanoCLR firmware for $BOARD ($NAME, $KERNELS kernels) with $(arm-none-eabi-g++ --version | head -1): ${#SRCS[@]} kit sources + hardware/cortex-m/platform, -j$JOBS..."
OBJ="$OUT/.obj-$BOARD-$( { declare -p CFLAGS CXXFLAGS; grep -A2 "^patch_line " "$0"; arm-none-eabi-g++ --version | head -1; sha256sum < "$TARBALL"; } | sha256sum | cut -c1-16)"
rm -rf "$WORK/obj"; mkdir -p "$WORK/obj" "$OBJ"
compile() { # SRC OBJ [extra flags...]
  local src="$1" obj="$2"; shift 2
  [ -f "$obj" ] && return 0
  case "$src" in
    *.c) arm-none-eabi-gcc "${CFLAGS[@]}" "$@" -c "$src" -o "$obj.tmp";;
    *) arm-none-eabi-g++ "${CXXFLAGS[@]}" "$@" -c "$src" -o "$obj.tmp";;
  esac && mv "$obj.tmp" "$obj"
}
CF="$(declare -p CFLAGS CXXFLAGS)"; export -f compile; export WORK CF
# Kit sources compile into the shared object cache; posix_stubs.cpp of a native image (its table of native
# assemblies gains NanoQuant.Native) and the native code compile into this build's own objects.
STUBS="$POSIX/nanoCLR/posix_stubs.cpp"
if [ "$KERNELS" != managed ]; then
  grep -q '^const CLR_RT_NativeAssemblyData \*g_CLR_InteropAssembliesNativeData\[\] = {' "$STUBS" \
    || fail "the kit's posix_stubs.cpp has no g_CLR_InteropAssembliesNativeData table to add NanoQuant.Native to"
  awk '/^const CLR_RT_NativeAssemblyData \*g_CLR_InteropAssembliesNativeData\[\] = \{/ {
         print "extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_NanoQuant_Native;"; t=1 }
       t && /^[[:space:]]*nullptr,/ { print "    &g_CLR_AssemblyNative_NanoQuant_Native,"; t=0 }
       { print }' "$STUBS" > "$WORK/posix_stubs.cpp"
fi
: > "$WORK/jobs"; KIT_OBJS=()
for s in "${SRCS[@]}"; do
  [ "$KERNELS" != managed ] && [ "$s" = "$STUBS" ] && continue
  name="${s#"$NF"/}"; KIT_OBJS+=("$OBJ/${name//\//_}.o"); printf '%s\0%s\0' "$s" "${KIT_OBJS[-1]}" >> "$WORK/jobs"
done
# The native code: the C kernels as C99 with the project's warnings-as-errors flags (the last -std wins), the
# Interop glue as C++ against the kit's headers; CMSIS-NN (third-party, its own warnings) from its tarball.
KFLAGS=(-std=c99 -pedantic "${OWN[@]}" -I"$root/native/kernels"); KSRCS=(); [ "$KERNELS" = managed ] || KSRCS=("$root"/native/kernels/*.c)
if [ "$KERNELS" = cmsis-nn ]; then
  mkdir -p "$WORK/cmsis"; tar -xzf "$CMSIS_TARBALL" -C "$WORK/cmsis" >> "$LOG" 2>&1 || fail "the CMSIS-NN tarball '$CMSIS_TARBALL' could not be unpacked"
  KFLAGS+=(-DNQ_VENDOR_CMSIS_NN -I"$WORK/cmsis/cmsis-nn/Include"); KSRCS+=("$root"/native/kernels/cmsis_nn/*.c)
fi
(
  compile "$here/platform/platform.cpp" "$WORK/obj/own-platform.o" "${OWN[@]}" || exit 1
  compile "$here/platform/startup.c" "$WORK/obj/own-startup.o" "${OWN[@]}" -Wno-override-init || exit 1
  if [ "$KERNELS" != managed ]; then
    compile "$WORK/posix_stubs.cpp" "$WORK/obj/kit-posix_stubs.o" -I"$POSIX/nanoCLR" || exit 1
    for f in "$root"/native/interop/*.cpp; do
      compile "$f" "$WORK/obj/interop-$(basename "$f" .cpp).o" "${OWN[@]}" -I"$root/native/interop" -I"$root/native/kernels" || exit 1
    done
    for f in "${KSRCS[@]}"; do
      compile "$f" "$WORK/obj/kernel-$(basename "$(dirname "$f")")-$(basename "$f" .c).o" "${KFLAGS[@]}" || exit 1
    done
    if [ "$KERNELS" = cmsis-nn ]; then
      find "$WORK/cmsis/cmsis-nn/Source" -name '*.c' ! -name '*_f16.c' ! -name '*_f32.c' -print0 \
        | xargs -0 -n 1 -P "$JOBS" bash -c 'eval "$CF"; compile "$0" "$WORK/obj/cmsis-nn-$(basename "$0" .c).o" -w -std=c11 -I"$WORK/cmsis/cmsis-nn/Include" || exit 255' || exit 1
    fi
  fi
  # shellcheck disable=SC2016
  xargs -0 -n 2 -P "$JOBS" bash -c 'eval "$CF"; compile "$0" "$1" || exit 255' < "$WORK/jobs"
) > "$LOG" 2>&1 || { grep -E 'error|Error' "$LOG" | head -20 >&2; fail "a source did not compile"; }
arm-none-eabi-g++ "${CPU[@]}" -nostartfiles --specs=rdimon.specs -T "$here/platform/mps2.ld" -Wl,--gc-sections \
  -Wl,-Map="$DIR.new/nanoclr.map" -o "$DIR.new/nanoclr.elf" "$WORK"/obj/*.o "${KIT_OBJS[@]}" >> "$LOG" 2>&1 \
  || { grep -E 'error|undefined|overflow' "$LOG" | head -20 >&2; fail "the link failed"; }
arm-none-eabi-size "$DIR.new/nanoclr.elf" > "$DIR.new/size.txt"
cat > "$DIR.new/nanoclr" <<WRAP
#!/usr/bin/env bash
# nanoCLR firmware for $BOARD ($NAME, $KERNELS kernels) in QEMU: nanoclr A.pe B.pe … (built by hardware/cortex-m/build.sh)
exec "$DIR/run-qemu.sh" --board $BOARD --image "$DIR/nanoclr.elf" "\$@"
WRAP
cp "$here/run-qemu.sh" "$DIR.new/run-qemu.sh"; chmod +x "$DIR.new/nanoclr" "$DIR.new/run-qemu.sh"
mv "$LOG" "$DIR.new/build.log"
rm -rf "$DIR"; mv "$DIR.new" "$DIR"
read -r text data bss _ < <(tail -1 "$DIR/size.txt")
say "nanoCLR firmware for $BOARD ($KERNELS kernels): text $text B, data $data B, bss $bss B: $DIR/nanoclr.elf"
echo "$DIR"
