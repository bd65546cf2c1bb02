#!/usr/bin/env bash
# Builds ARM's CMSIS-NN (int8/int16 sources; no f16/f32) as a static library for one Cortex-M, once per folder:
#   build-cmsis-nn.sh DIR CPU      CPU: cortex-m4 | cortex-m7;  writes DIR/libcmsisnn.a, headers in DIR/cmsis-nn/Include
# Sources: the cmsis-nn-*.tar.gz in NANOQUANT_NN_LIBS (default ../shared/nn-libs). The same flags as the replay harness
# (native/tests/cortex-m/build.sh) and the TFLM anchor (hardware/cortex-m/tflm-anchor/run.sh) use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dir="$1"; cpu="$2"
[ -f "$dir/libcmsisnn.a" ] && exit 0
libs="${NANOQUANT_NN_LIBS:-$root/../shared/nn-libs}"
archive="$(ls "$libs"/cmsis-nn-*.tar.gz 2>/dev/null | head -1)"
[ -n "$archive" ] || { echo "error: build-cmsis-nn.sh: no cmsis-nn-*.tar.gz in '$libs' (set NANOQUANT_NN_LIBS)" >&2; exit 1; }
rm -rf "$dir"; mkdir -p "$dir"
tar -xzf "$archive" -C "$dir"
(cd "$dir" && for f in $(find cmsis-nn/Source -name '*.c' ! -name '*_f16.c' ! -name '*_f32.c'); do
  arm-none-eabi-gcc -mcpu="$cpu" -mthumb -mfloat-abi=soft -O2 -ffunction-sections -fdata-sections -std=c11 -w \
    -Icmsis-nn/Include -c "$f" -o "$(basename "$f" .c).o"; done
  arm-none-eabi-ar rcs libcmsisnn.a ./*.o && rm -f ./*.o)
