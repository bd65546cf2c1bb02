#!/usr/bin/env bash
# Runs a program built for the emulated boards (platform/startup.c + platform/mps2.ld) in QEMU: nanoQuant's
# nanoCLR firmware (hardware/cortex-m/build.sh) with .pe files, like the kit's bin/nanoclr runs them on Linux,
# or the C kernels' replay harness (native/tests/cortex-m):
#
#   hardware/cortex-m/run-qemu.sh --board mps2-an500|mps2-an386 --image nanoclr.elf [--program NAME] FILE… [--arg WORD]…
#
# The program's argv: NAME (default nanoclr), then each FILE as a full path and each --arg WORD as given, in order.
# Semihosting stands in for the board's UART and flash: the firmware's console is this process's stdout,
# and the firmware reads the .pe files from the host's file system (newlib's fopen over semihosting) where
# a real board would have them in flash, deployed over its debug link. -icount shift=0: the virtual clock
# advances 1 ns per guest instruction, so every time the firmware measures is an exact instruction count,
# the same on every run. The exit code is the firmware's (0 after nanoCLR ran the program; 3 after a
# processor fault); 1 with an `error:` line when QEMU or a .pe file is missing.
set -euo pipefail
BOARD=""; IMAGE=""; PROGRAM=nanoclr
while [ $# -gt 0 ]; do
  case "$1" in
    --board) BOARD="$2"; shift 2;; --image) IMAGE="$2"; shift 2;; --program) PROGRAM="$2"; shift 2;;
    *) break;;
  esac
done
case "$BOARD" in mps2-an500|mps2-an386) ;; *) echo "error: run-qemu.sh: --board mps2-an500 or mps2-an386 is needed" >&2; exit 1;; esac
[ -f "$IMAGE" ] || { echo "error: run-qemu.sh: firmware image '$IMAGE' not found (hardware/cortex-m/build.sh builds it)" >&2; exit 1; }
command -v qemu-system-arm >/dev/null 2>&1 || { echo "error: qemu-system-arm not found: the emulated Cortex-M boards need QEMU (apt-get install -y qemu-system-arm)" >&2; exit 1; }
args="arg=$PROGRAM"
while [ $# -gt 0 ]; do
  if [ "$1" = --arg ]; then word="${2:-}"; shift 2
  else
    [ -f "$1" ] || { echo "error: run-qemu.sh: '$1' not found" >&2; exit 1; }
    word="$(readlink -f "$1")"; shift
  fi
  case "$word" in *' '*|'') echo "error: run-qemu.sh: '$word': the semihosting command line cannot hold an empty word or one with a space" >&2; exit 1;; esac
  args="$args,arg=${word//,/,,}"
done
exec qemu-system-arm -M "$BOARD" -nographic -monitor none -serial null -icount shift=0 \
  -semihosting-config "enable=on,target=native,$args" -kernel "$IMAGE"
