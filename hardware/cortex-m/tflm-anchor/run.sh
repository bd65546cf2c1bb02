#!/usr/bin/env bash
# The anchor: TensorFlow Lite Micro with CMSIS-NN, built bare-metal for the same emulated Cortex-M4 and M7 the
# replay harness and the nanoCLR firmware run on (QEMU mps2-an386 / mps2-an500, hardware/cortex-m/platform,
# run-qemu.sh, -icount shift=0), running the MLPerf Tiny models on their golden inputs. Checks every output
# byte against ../shared/golden and prints instructions per Invoke (whole interpreter: TFLM's Invoke, every
# operator, timer 0). A benchmark, outside CI.
#
#   hardware/cortex-m/tflm-anchor/run.sh [--cpus "m4 m7"] [--models "kws_ref_model_int8 …"] [--ours]
#
#   --ours   also replays nanoQuant's native calls of the same models (native/tests/cortex-m/replay.sh, builds
#            dsp, best and cmsis_nn on each CPU; records them first through the desktop tests, a few minutes)
#
# TFLM and its headers are not part of nanoQuant; the user provides them (nothing is downloaded):
#   TFLM_DIR         a checkout of github.com/tensorflow/tflite-micro (measured: commit 90b983c)
#   FLATBUFFERS_DIR  github.com/google/flatbuffers at the tag TFLM's third_party_downloads.inc names (v25.9.23)
#   GEMMLOWP_DIR     github.com/google/gemmlowp (fixedpoint/ headers)
#   RUY_DIR          github.com/google/ruy (ruy/profiler/instrumentation.h)
#   NANOQUANT_NN_LIBS  the folder with cmsis-nn-*.tar.gz (default ../shared/nn-libs)
#   ANCHOR_WORK      where objects and images go (default artifacts/tflm-anchor in the worktree)
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (apt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cpus="m4 m7"
models="kws_ref_model_int8 vww_96_int8 person_detect pretrainedResnet_quant ad01_int8"
ours=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpus) cpus="$2"; shift 2;; --models) models="$2"; shift 2;; --ours) ours=1; shift;;
    *) echo "error: run.sh: unknown argument '$1' (--cpus, --models, --ours)" >&2; exit 2;;
  esac
done
missing=""
check() { [ -n "${!1:-}" ] && [ -e "${!1}/$2" ] || missing="$missing\n  $1 = '${!1:-}': needs $2 ($3)"; }
check TFLM_DIR tensorflow/lite/micro/micro_interpreter.cc "a checkout of github.com/tensorflow/tflite-micro"
check FLATBUFFERS_DIR include/flatbuffers/flatbuffers.h "github.com/google/flatbuffers, tag v25.9.23"
check GEMMLOWP_DIR fixedpoint/fixedpoint.h "github.com/google/gemmlowp"
check RUY_DIR ruy/profiler/instrumentation.h "github.com/google/ruy"
if [ -n "$missing" ]; then
  echo -e "error: run.sh: the TFLM sources are not given; set these environment variables:$missing" >&2
  exit 2
fi
for tool in arm-none-eabi-g++ qemu-system-arm; do
  command -v "$tool" >/dev/null || { echo "error: run.sh: $tool not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)" >&2; exit 2; }
done
golden="$root/../shared/golden"; modeldir="$root/../shared/models"
work="${ANCHOR_WORK:-$root/artifacts/tflm-anchor}"
mkdir -p "$work"

board() { case "$1" in m4) echo mps2-an386;; m7) echo mps2-an500;; esac; }

# TFLM's runtime: the interpreter (micro/, its allocators and planners, tflite_bridge), the shared TFLite sources,
# and the kernels the five MLPerf Tiny models use (anchor.cc's resolver), each taken from kernels/cmsis_nn/ where TFLM has a CMSIS-NN version (as its
# Makefile's OPTIMIZED_KERNEL_DIR=cmsis_nn does).
tflm_sources() {
  local t="$TFLM_DIR/tensorflow"
  ls "$t"/lite/micro/*.cc "$t"/lite/micro/arena_allocator/*.cc "$t"/lite/micro/memory_planner/*.cc "$t"/lite/micro/tflite_bridge/*.cc \
    | grep -v -e '_test\.cc$' -e '/debug_log\.cc$' -e '/test_helper' -e '/fake_micro_context\.cc$' -e '/mock_micro_graph\.cc$'
  ls "$t"/lite/kernels/kernel_util.cc "$t"/lite/kernels/internal/*.cc "$t"/lite/kernels/internal/reference/portable_tensor_utils.cc \
    "$t"/lite/core/api/*.cc "$t"/lite/core/c/common.cc "$t"/compiler/mlir/lite/schema/schema_utils.cc \
    "$t"/compiler/mlir/lite/core/api/error_reporter.cc | grep -v '_test\.cc$'
  for k in conv conv_common depthwise_conv depthwise_conv_common fully_connected fully_connected_common pooling pooling_common \
           add add_common softmax softmax_common reshape reshape_common kernel_util micro_tensor_utils; do
    if [ -f "$t/lite/micro/kernels/cmsis_nn/$k.cc" ]; then echo "$t/lite/micro/kernels/cmsis_nn/$k.cc"
    else echo "$t/lite/micro/kernels/$k.cc"; fi
  done
}

build() {
  local cpu="$1" out="$work/anchor-$1.elf" obj="$work/obj-$1"
  [ -f "$out" ] && return 0
  "$root/native/tests/cortex-m/build-cmsis-nn.sh" "$work/cmsis-nn-cortex-$cpu" "cortex-$cpu"
  local cmsis="$work/cmsis-nn-cortex-$cpu"
  mkdir -p "$obj"
  local common=(-mcpu="cortex-$cpu" -mthumb -mfloat-abi=soft -O2 -ffunction-sections -fdata-sections
    -DTF_LITE_STATIC_MEMORY -DTF_LITE_DISABLE_X86_NEON -DCMSIS_NN -DFLATBUFFERS_LOCALE_INDEPENDENT=0
    -I"$TFLM_DIR" -I"$FLATBUFFERS_DIR/include" -I"$GEMMLOWP_DIR" -I"$RUY_DIR" -I"$cmsis/cmsis-nn/Include" -I"$cmsis/cmsis-nn")
  echo "== building TFLM + CMSIS-NN for cortex-$cpu in $obj" >&2
  { tflm_sources; echo "$here/anchor.cc"; } | awk '{ print $0 }' > "$obj/sources.txt"
  # two compilers at a time, at low priority (the machine is shared); an object appears only once complete, so an
  # interrupted build resumes
  export ANCHOR_OBJ="$obj"
  xargs -P 2 -I{} sh -c 'f="{}"; o="$ANCHOR_OBJ/$(echo "$f" | md5sum | cut -c1-12)_$(basename "$f" .cc).o";
    [ -f "$o" ] || { nice -n 10 arm-none-eabi-g++ "$@" -std=c++17 -fno-rtti -fno-exceptions -fno-threadsafe-statics -w -c "$f" -o "$o.tmp" && mv "$o.tmp" "$o"; }' _ "${common[@]}" \
    < "$obj/sources.txt"
  arm-none-eabi-gcc "${common[@]}" -std=c99 -c "$root/hardware/cortex-m/platform/startup.c" -o "$obj/startup.o"
  # exactly this list's objects (the folder may hold others from another TFLM_DIR)
  local objects=("$obj/startup.o")
  while read -r f; do objects+=("$obj/$(echo "$f" | md5sum | cut -c1-12)_$(basename "$f" .cc).o"); done < "$obj/sources.txt"
  arm-none-eabi-g++ -mcpu="cortex-$cpu" -mthumb -mfloat-abi=soft --specs=rdimon.specs -nostartfiles \
    -T "$root/hardware/cortex-m/platform/mps2.ld" -Wl,--gc-sections -o "$out" "${objects[@]}" "$cmsis/libcmsisnn.a"
}

results="$work/results.tsv"; : > "$results"
failed=0
for cpu in $cpus; do
  build "$cpu"
  for model in $models; do
    files=()
    for i in $(cd "$golden/$model" && ls input_*_0.npy | sed 's/input_\([0-9]*\)_0.npy/\1/' | sort -n); do
      files+=("$golden/$model/input_${i}_0.npy" "$golden/$model/output_${i}_0.npy")
    done
    log="$work/$cpu-$model.log"
    set +e
    timeout 900 "$root/hardware/cortex-m/run-qemu.sh" --board "$(board "$cpu")" --image "$work/anchor-$cpu.elf" --program anchor \
      "$modeldir/$model.tflite" "${files[@]}" > "$log" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then failed=$((failed + 1)); echo "FAILED cortex-$cpu $model (exit $status):" >&2; tail -5 "$log" >&2; fi
    awk -v c="$cpu" -v m="$model" '$1 == "case" && $3 == "instr" { n++; if (n == 1) first = $4; if ($4 < lo || n == 1) lo = $4; if ($4 > hi) hi = $4; if ($5 != "match") bad++ }
      $1 == "arena" { arena = $2 }
      END { print c "\t" m "\t" first "\t" lo "\t" hi "\t" n "\t" bad + 0 "\t" arena }' "$log" >> "$results"
  done
done

echo "TFLM + CMSIS-NN, instructions per Invoke (whole interpreter; case 0 = the input the replay recordings use; min–max over the golden cases):"
printf "%-24s %-4s %14s %14s %14s %6s %10s %s\n" model cpu "case 0" min max cases "arena B" golden
awk -F'\t' '{ printf "%-24s %-4s %14d %14d %14d %6d %10d %s\n", $2, $1, $3, $4, $5, $6, $8, ($7 == 0 && $6 > 0 ? "byte-exact" : "MISMATCH " $7) }' "$results"

if [ -n "$ours" ]; then
  builds=""; for cpu in $cpus; do builds="$builds dsp-$cpu best-$cpu cmsis_nn-$cpu"; done
  echo
  echo "nanoQuant's native kernels on the same models (native/tests/cortex-m/replay.sh: the kernels' calls only, case 0):"
  NANOQUANT_REPLAY_BUILDS="${builds# }" NANOQUANT_REPLAY_MODELS="$models" NANOQUANT_REPLAY_WORK="${NANOQUANT_REPLAY_WORK:-$work/replay}" \
    "$root/native/tests/cortex-m/replay.sh"
fi
[ "$failed" -eq 0 ] || { echo "$failed runs failed (above)" >&2; exit 1; }
