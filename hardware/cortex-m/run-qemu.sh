#!/usr/bin/env bash
# Runs nanoQuant's nanoCLR firmware (hardware/cortex-m/build.sh) in QEMU with .pe files, like the kit's
# bin/nanoclr runs them on Linux:
#
#   hardware/cortex-m/run-qemu.sh --board mps2-an500|mps2-an386 --image nanoclr.elf A.pe B.pe …
#
# Semihosting stands in for the board's UART and flash: the firmware's console is this process's stdout,
# and the firmware reads the .pe files from the host's file system (newlib's fopen over semihosting) where
# a real board would have them in flash, deployed over its debug link. -icount shift=0: the virtual clock
# advances 1 ns per guest instruction, so every time the firmware measures is an exact instruction count,
# the same on every run. The exit code is the firmware's (0 after nanoCLR ran the program; 3 after a
# processor fault); 1 with an `error:` line when QEMU or a .pe file is missing.
set -euo pipefail
BOARD=""; IMAGE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --board) BOARD="$2"; shift 2;; --image) IMAGE="$2"; shift 2;;
    *) break;;
  esac
done
case "$BOARD" in mps2-an500|mps2-an386) ;; *) echo "error: run-qemu.sh: --board mps2-an500 or mps2-an386 is needed" >&2; exit 1;; esac
[ -f "$IMAGE" ] || { echo "error: run-qemu.sh: firmware image '$IMAGE' not found (hardware/cortex-m/build.sh builds it)" >&2; exit 1; }
command -v qemu-system-arm >/dev/null 2>&1 || { echo "error: qemu-system-arm not found: the emulated Cortex-M boards need QEMU (apt-get install -y qemu-system-arm)" >&2; exit 1; }
args="arg=nanoclr"
for pe in "$@"; do
  [ -f "$pe" ] || { echo "error: run-qemu.sh: '$pe' not found" >&2; exit 1; }
  case "$pe" in *' '*) echo "error: run-qemu.sh: '$pe': the semihosting command line cannot hold a path with a space" >&2; exit 1;; esac
  full="$(readlink -f "$pe")"
  args="$args,arg=${full//,/,,}"
done
exec qemu-system-arm -M "$BOARD" -nographic -monitor none -serial null -icount shift=0 \
  -semihosting-config "enable=on,target=native,$args" -kernel "$IMAGE"
