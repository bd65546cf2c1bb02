#!/usr/bin/env bash
# The DSP kernels against the portable ones on random shapes the goldens do not have, on the emulated boards:
#   random.sh WORK [CPU…]     CPU: m4 (QEMU mps2-an386) | m7 (mps2-an500); default: m4 m7
# depthwise_random.c, conv_2d_random.c and fully_connected_random.c (fixed seeds: the same shapes every run), each
# linked with the DSP kernels and with the portable kernel (the same file built with -DNQ_NO_DSP under another name).
# Exits non-zero at the first test with a mismatch. Run by replay.sh --check (CI).
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (apt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
src="$root/native/kernels"
work="$1"; shift
cpus=("$@"); [ ${#cpus[@]} -gt 0 ] || cpus=(m4 m7)
for cpu in "${cpus[@]}"; do
  case "$cpu" in m4) board=mps2-an386;; m7) board=mps2-an500;; *) echo "error: random.sh: CPU m4 or m7, not '$cpu'" >&2; exit 2;; esac
  out="$work/random-$cpu"; rm -rf "$out"; mkdir -p "$out"
  flags=(-mcpu="cortex-$cpu" -mthumb -mfloat-abi=soft -O2 -ffunction-sections -fdata-sections -std=c99 -I"$src")
  for f in depthwise_conv_2d depthwise_conv_2d_dsp depthwise_conv_2d_multiplier_dsp conv_2d conv_2d_dsp fully_connected fully_connected_dsp; do
    arm-none-eabi-gcc "${flags[@]}" -c "$src/$f.c" -o "$out/kernel_$f.o"
  done
  for f in depthwise_conv_2d conv_2d fully_connected; do
    arm-none-eabi-gcc "${flags[@]}" -DNQ_NO_DSP -Dnq_$f=nq_${f}_portable -c "$src/$f.c" -o "$out/portable_$f.o"
  done
  arm-none-eabi-gcc "${flags[@]}" -Wno-override-init -c "$root/hardware/cortex-m/platform/startup.c" -o "$out/startup.o"
  for test in depthwise conv_2d fully_connected; do
    arm-none-eabi-gcc "${flags[@]}" -Wall -Wextra -Werror -c "$here/${test}_random.c" -o "$out/test_$test.o"
    arm-none-eabi-gcc -mcpu="cortex-$cpu" -mthumb -mfloat-abi=soft --specs=rdimon.specs -nostartfiles \
      -T "$root/hardware/cortex-m/platform/mps2.ld" -Wl,--gc-sections -o "$out/${test}_random.elf" \
      "$out/test_$test.o" "$out/startup.o" "$out"/kernel_*.o "$out"/portable_*.o
    printf 'cortex-%s: ' "$cpu"
    "$root/hardware/cortex-m/run-qemu.sh" --board "$board" --image "$out/${test}_random.elf" --program "${test}_random"
  done
done
