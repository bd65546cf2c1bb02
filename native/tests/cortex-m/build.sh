#!/usr/bin/env bash
# Builds the replay harness for one Cortex-M and one kernel option:
#   build.sh OUT.elf CPU OPTION     CPU: cortex-m4 | cortex-m7;  OPTION: c | dsp | cmsis_nn | best
#   c        nanoQuant's portable C kernels (-DNQ_NO_DSP: the DSP kernels are left out even where the CPU has DSP)
#   dsp      nanoQuant's kernels with their ACLE DSP paths (__ARM_FEATURE_DSP, set by -mcpu=cortex-m4/m7)
#   cmsis_nn CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through ARM's CMSIS-NN (DSP paths) from ../shared/nn-libs
#            wherever it can run them (-DNQ_VENDOR_ALWAYS), the rest ours (C)
#   best     what the firmware's --kernels cmsis-nn image runs: ours with DSP paths and CMSIS-NN, per call as
#            dispatch.c's rule table chooses
# arm-none-eabi-gcc -O2 -mthumb, newlib with rdimon semihosting. Writes OUT.elf, OUT.su (-fstack-usage), OUT.size.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
src="$root/native/kernels"
out="$1"; cpu="$2"; option="$3"
work="$(dirname "$out")/obj-$(basename "$out" .elf)"
rm -rf "$work"; mkdir -p "$work"
flags=(-mcpu="$cpu" -mthumb -mfloat-abi=soft -O2 -ffunction-sections -fdata-sections -fstack-usage)
kernel_flags=(-std=c99 -pedantic -Wall -Wextra -Werror)
defines=()
sources=("$src"/*.c)
extra=()
case "$option" in
  c) defines=(-DNQ_NO_DSP) ;;
  dsp) ;;
  cmsis_nn|best)
    defines=(-DNQ_VENDOR_CMSIS_NN)
    [ "$option" = best ] || defines+=(-DNQ_NO_DSP -DNQ_VENDOR_ALWAYS)
    cmsis="$(dirname "$out")/cmsis-nn-$cpu"
    "$here/build-cmsis-nn.sh" "$cmsis" "$cpu"
    sources+=("$src"/cmsis_nn/*.c)
    extra=(-I"$cmsis/cmsis-nn/Include")
    ;;
  *) echo "option: c | dsp | cmsis_nn | best" >&2; exit 2 ;;
esac
for f in "${sources[@]}"; do
  arm-none-eabi-gcc "${flags[@]}" "${kernel_flags[@]}" "${defines[@]}" "${extra[@]}" -c "$f" \
    -o "$work/$(basename "$(dirname "$f")")_$(basename "$f" .c).o"
done
# The kernels as C++ too (nanoCLR's Interop build compiles them as C++), warnings as errors.
if [ "$option" = dsp ]; then
  for f in "${sources[@]}"; do
    arm-none-eabi-g++ -x c++ "${flags[@]}" -Wall -Wextra -Werror "${defines[@]}" -c "$f" -o "$work/cxx.o"
  done
  rm -f "$work/cxx.o" "$work"/cxx.su
fi
kernel_objects=("$work"/*.o)
# The boards' one start-up and memory map (hardware/cortex-m/platform, shared with the nanoCLR firmware).
platform="$root/hardware/cortex-m/platform"
for f in "$here"/replay.c "$platform"/startup.c; do
  arm-none-eabi-gcc "${flags[@]}" -std=c99 -Wall -Wextra -Werror -Wno-override-init -I"$src" -c "$f" -o "$work/harness_$(basename "$f" .c).o"
done
link=("$work"/harness_*.o "${kernel_objects[@]}")
[ -n "${cmsis:-}" ] && link+=("$cmsis/libcmsisnn.a")
arm-none-eabi-gcc -mcpu="$cpu" -mthumb -mfloat-abi=soft --specs=rdimon.specs -nostartfiles -T "$platform/mps2.ld" -Wl,--gc-sections \
  -o "$out" "${link[@]}"
# Stack per function (-fstack-usage) and code size of the kernels (nanoQuant's objects, plus CMSIS-NN's
# members the link kept are not separated out: the .size file lists the kernels' objects only).
cat "$work"/*.su > "${out%.elf}.su"
arm-none-eabi-size -t "${kernel_objects[@]}" > "${out%.elf}.size"
