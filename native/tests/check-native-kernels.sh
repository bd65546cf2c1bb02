#!/usr/bin/env bash
# Checks the C kernels of native/kernels:
#  1. every file compiles warning-free as C99 (-std=c99 -pedantic -Wall -Wextra -Werror, -O3) and, as
#     nanoCLR's Interop build compiles them, as C++ (g++ -Wall -Wextra -Werror);
#  2. every int8 golden runs byte-exact through them with AddressSanitizer and UndefinedBehaviorSanitizer:
#     the kernels are built as a sanitized shared library, the sanitizer runtimes are preloaded into the
#     test host, and NativeKernelTests call the library through P/Invoke with each tensor copied into its
#     own exactly-sized heap block (so ASan sees any access past a tensor). Any sanitizer report aborts
#     the test host and fails this script;
#  3. the CMSIS-NN and ESP-NN build options (sources from ../shared/nn-libs, portable C on x64): every int8
#     golden again with CONV_2D and FULLY_CONNECTED (and with CMSIS-NN, DEPTHWISE_CONV_2D) going to each library
#     wherever it can run them (CMSIS-NN with NQ_VENDOR_ALWAYS: every call the rule table could give it).
# Installs gcc/g++ with apt-get when missing (CI). Prints "native kernels: OK" on success.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$root/native/kernels"

if ! command -v gcc >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
  echo "gcc/g++ not found: installing with apt-get"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gcc g++ >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq gcc g++ >/dev/null; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== C99 and C++ builds, warnings as errors"
for f in "$src"/*.c; do
  gcc -std=c99 -pedantic -O3 -Wall -Wextra -Werror -c "$f" -o "$work/$(basename "$f").o"
  g++ -x c++ -O3 -Wall -Wextra -Werror -c "$f" -o "$work/$(basename "$f").cpp.o"
done
echo "$(ls "$src"/*.c | wc -l) files: clean"

echo "== every int8 golden through the kernels under AddressSanitizer + UndefinedBehaviorSanitizer"
gcc -std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -fPIC -shared -o "$work/libnanoquant_kernels_sanitized.so" "$src"/*.c
dotnet build "$root/tests/NanoQuant.Tests" -c Release -v q -nologo >/dev/null
log="$work/test.log"
set +e
NANOQUANT_NATIVE_LIBRARY="$work/libnanoquant_kernels_sanitized.so" \
LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  dotnet test "$root/tests/NanoQuant.Tests" -c Release --no-build --filter "FullyQualifiedName~NanoQuant.Tests.Native" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ] || grep -Eq "AddressSanitizer|runtime error:|Test host process crashed|test run was aborted" "$log"; then
  echo "native kernels: FAILED (exit $status; see the sanitizer report above)" >&2
  exit 1
fi
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$passed" -eq 0 ] || [ "$skipped" -ne 0 ]; then
  echo "native kernels: FAILED ($passed passed, $skipped skipped: the native tests did not all run)" >&2
  exit 1
fi
echo "native kernels: OK ($passed tests under ASan+UBSan)"

# 3. The vendor-library options on x64 (their portable C paths): CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
#    through CMSIS-NN (every call it can take), then CONV_2D and FULLY_CONNECTED through ESP-NN, every int8 golden again. The libraries come from ../shared/nn-libs (never copied
#    into the repository); their own sources are compiled without -Werror, nanoQuant's with it.
libs="${NANOQUANT_NN_LIBS:-$root/../shared/nn-libs}"
run_vendor() { # name "defines" library-objects...
  local name="$1" defines=($2); shift 2
  local lib="$work/libnanoquant_kernels_$name.so" vlog="$work/$name.log"
  local objects="$work/$name-obj"
  mkdir -p "$objects"
  for f in "$src"/*.c "$src/$name"/*.c; do
    gcc -std=c99 -pedantic -O2 -Wall -Wextra -Werror -fPIC "${defines[@]/#/-D}" "${includes[@]}" -c "$f" \
      -o "$objects/$(basename "$(dirname "$f")")_$(basename "$f" .c).o"
  done
  gcc -shared -o "$lib" "$objects"/*.o "$@"
  NANOQUANT_NATIVE_LIBRARY="$lib" dotnet test "$root/tests/NanoQuant.Tests" -c Release --no-build \
    --filter "FullyQualifiedName~NanoQuant.Tests.Native" > "$vlog" 2>&1 || { cat "$vlog"; echo "native kernels with $name: FAILED" >&2; exit 1; }
  echo "native kernels with $name: OK ($(grep -Eo 'Passed: +[0-9]+' "$vlog" | awk '{s+=$2} END {print s+0}') tests)"
}
cd "$work"
tar -xzf "$libs"/cmsis-nn-*.tar.gz
mkdir -p cmsis-obj && (cd cmsis-obj && for f in $(find ../cmsis-nn/Source -name '*.c' ! -name '*_f16.c' ! -name '*_f32.c'); do
  gcc -O2 -std=c11 -fPIC -w -I../cmsis-nn/Include -c "$f" -o "$(basename "$f" .c).o"; done)
includes=(-I"$work/cmsis-nn/Include")
run_vendor cmsis_nn "NQ_VENDOR_CMSIS_NN NQ_VENDOR_ALWAYS" cmsis-obj/*.o
tar -xzf "$libs"/esp-nn-*.tar.gz
mkdir -p esp-obj && (cd esp-obj && for f in ../esp-nn/src/convolution/esp_nn_conv_ansi.c ../esp-nn/src/convolution/esp_nn_conv_opt.c \
  ../esp-nn/src/fully_connected/esp_nn_fully_connected_ansi.c; do
  gcc -O2 -std=gnu11 -fPIC -w -I../esp-nn/include -I../esp-nn/src/common -c "$f" -o "$(basename "$f" .c).o"; done)
includes=(-I"$work/esp-nn/include")
run_vendor esp_nn NQ_VENDOR_ESP_NN esp-obj/*.o
