#!/usr/bin/env bash
# The native kernels replayed on emulated Cortex-M boards (QEMU mps2-an386 = Cortex-M4, mps2-an500 =
# Cortex-M7, -icount shift=0: exact, repeatable instruction counts).
#   replay.sh            the MLPerf Tiny models (kws, vww, person_detect, ResNet-8, ad01): instructions per
#                        model and per operator for each build (default builds: c-m4 dsp-m4 cmsis_nn-m4 dsp-m7)
#   replay.sh --markdown the same runs (builds dsp-m4 cmsis_nn-m4 dsp-m7 unless NANOQUANT_REPLAY_BUILDS names others; the
#                        first is "ours", the second the comparison) as the Markdown tables of docs/benchmarks.md: per
#                        model and operator, per conv/depthwise/FC layer, then stack and code size per build
#   replay.sh --choice   the per-operator choice: every conv, depthwise and FC call of those models on the M4 and M7
#                        with our DSP kernels, with CMSIS-NN (every call it can take) and with dispatch.c's rule
#                        table (best), side by side; marks each call where the table's pick is not the faster one
#   replay.sh --check    every int8 golden's recording, byte-exact against x64, with the DSP kernels on the
#                        M4 and the M7, the portable C on the M4, the DSP kernels on the M4 with every tensor
#                        off a word boundary (dsp-m4-odd), and CMSIS-NN on the M4 for every conv, depthwise and FC
#                        call it can take (cmsis_nn-m4), and first the DSP depthwise, conv and fully connected
#                        kernels against the portable ones on random shapes on the M4 and the M7 (random.sh) (CI);
#                        prints "cortex-m replay: OK"
# Steps: (1) the desktop tests run every int8 golden through the x64 kernels and record each native call of the
# first case (NANOQUANT_NATIVE_RECORD; skipped when NANOQUANT_REPLAY_RECORDINGS names a folder of .nqrec
# files); (2) build.sh builds the harness per CPU and option; (3) QEMU runs each recording, the harness
# compares every output byte with x64's and prints instructions per call.
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (apt), dotnet.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
mode="${1:-table}"
work="${NANOQUANT_REPLAY_WORK:-$(mktemp -d)}"
[ -n "${NANOQUANT_REPLAY_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

recordings="${NANOQUANT_REPLAY_RECORDINGS:-}"
if [ -z "$recordings" ]; then
  recordings="$work/recordings"; mkdir -p "$recordings"
  echo "== recording every int8 golden's native calls on x64" >&2
  dotnet build "$root/tests/NanoQuant.Tests" -c Release -v q -nologo >/dev/null
  NANOQUANT_NATIVE_RECORD="$recordings" dotnet test "$root/tests/NanoQuant.Tests" -c Release --no-build \
    --filter "FullyQualifiedName~Every_int8_golden_is_byte_exact_through_the_native_kernels" > "$work/record.log" 2>&1 \
    || { cat "$work/record.log"; echo "recording failed" >&2; exit 1; }
fi

if [ "$mode" = --check ]; then
  # The DSP paths' requantization against the portable one (host compiler, UBSan).
  gcc -O2 -std=c99 -Wall -Wextra -Werror -fsanitize=undefined -fno-sanitize-recover=all -I"$root/native/kernels" \
    "$here/requantize_check.c" -o "$work/requantize_check"
  "$work/requantize_check"
  # The DSP depthwise, conv and fully connected kernels against the portable ones on random shapes, on the emulated M4
  # and M7 (random.sh).
  "$here/random.sh" "$work" m4 m7
  builds="${NANOQUANT_REPLAY_BUILDS:-dsp-m4 dsp-m7 c-m4 dsp-m4-odd cmsis_nn-m4}"
  models=$(cd "$recordings" && ls *.nqrec | sed 's/\.nqrec$//')
elif [ "$mode" = --markdown ]; then
  builds="${NANOQUANT_REPLAY_BUILDS:-dsp-m4 cmsis_nn-m4 dsp-m7}"
  models="${NANOQUANT_REPLAY_MODELS:-kws_ref_model_int8 vww_96_int8 person_detect pretrainedResnet_quant ad01_int8}"
elif [ "$mode" = --choice ]; then
  builds="${NANOQUANT_REPLAY_BUILDS:-dsp-m4 cmsis_nn-m4 best-m4 dsp-m7 cmsis_nn-m7 best-m7}"
  models="${NANOQUANT_REPLAY_MODELS:-kws_ref_model_int8 vww_96_int8 person_detect pretrainedResnet_quant ad01_int8}"
else
  builds="${NANOQUANT_REPLAY_BUILDS:-c-m4 dsp-m4 cmsis_nn-m4 dsp-m7}"
  models="${NANOQUANT_REPLAY_MODELS:-kws_ref_model_int8 vww_96_int8 person_detect pretrainedResnet_quant ad01_int8}"
fi

board() { case "$1" in m4) echo mps2-an386;; m7) echo mps2-an500;; esac; }
results="$work/results.tsv"; : > "$results"; : > "$work/calls.tsv"
failed=0
for build in $builds; do
  # BUILD-odd: the same harness with every tensor starting off a word boundary
  odd=""; base="$build"
  case "$build" in *-odd) odd=1; base="${build%-odd}";; esac
  option="${base%-*}"; cpu="${base##*-}"
  [ -f "$work/$base.elf" ] && [ -n "$odd" ] || "$here/build.sh" "$work/$base.elf" "cortex-$cpu" "$option"
  for model in $models; do
    log="$work/$build-$model.log"
    set +e
    timeout 600 "$root/hardware/cortex-m/run-qemu.sh" --board "$(board "$cpu")" --image "$work/$base.elf" --program replay \
      "$recordings/$model.nqrec" ${odd:+--arg odd} > "$log" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
      failed=$((failed + 1)); echo "FAILED $build $model (exit $status):" >&2; grep -v '^call [0-9]* op [0-9]* instr' "$log" | head -5 >&2
    fi
    awk -v b="$build" -v m="$model" '$1 == "call" && $5 == "instr" { i[$4] += $6; c[$4] += $8 } END { for (o in i) print b "\t" m "\t" o "\t" i[o] "\t" c[o] }' "$log" >> "$results"
    awk -v b="$build" -v m="$model" '$1 == "call" && $5 == "instr" { print b "\t" m "\t" $2 "\t" $4 "\t" $6 "\t" $8 }' "$log" >> "$work/calls.tsv"
  done
done

if [ "$mode" = --check ]; then
  n=$(echo $models | wc -w)
  if [ "$failed" -ne 0 ]; then echo "cortex-m replay: FAILED ($failed runs)" >&2; exit 1; fi
  echo "cortex-m replay: OK ($n recordings byte-exact on each of: $builds)"
  exit 0
fi

if [ "$mode" = --markdown ]; then
  # thousands separators (awk's %'d needs a locale)
  commas='function commas(x,   s) { s = sprintf("%d", x); while (s ~ /^-?[0-9]+[0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }'
  set -- $builds
  ours="$1"; theirs="${2:-$1}"
  echo "| model | operator | $(echo $builds | sed 's/ / | /g') | $ours / $theirs |"
  echo "|---|---|$(for b in $builds; do printf -- '---:|'; done)---:|"
  awk -F'\t' -v builds="$builds" -v models="$models" -v ours="$ours" -v theirs="$theirs" '
    BEGIN { nb = split(builds, B, " "); nm = split(models, M, " ");
            no = split("2 3 1 4 5 8 10 7 12", code, " "); split("CONV_2D DEPTHWISE_CONV_2D FULLY_CONNECTED AVERAGE_POOL_2D MAX_POOL_2D ADD/SUB MUL SOFTMAX MEAN", label, " ");
            for (k = 1; k <= no; k++) name[code[k]] = label[k] }
    { v[$1, $2, $3] = $4; t[$1, $2] += $4; if ($1 == B[1]) { macs[$2] += $5; has[$2, $3] = 1 } }
    '"$commas"'
    function row(m, what, get_ours, get_theirs,   j) {
      printf "| %s | %s |", m, what; for (j = 1; j <= nb; j++) printf " %s |", commas(G[j]); printf " %.0f %% |\n", 100 * get_ours / (get_theirs > 0 ? get_theirs : 1) }
    END {
      for (i = 1; i <= nm; i++) {
        for (k = 1; k <= no; k++) { o = code[k]; if (has[M[i], o]) {
          for (j = 1; j <= nb; j++) G[j] = v[B[j], M[i], o]; row(M[i], name[o], v[ours, M[i], o], v[theirs, M[i], o]) } }
        for (j = 1; j <= nb; j++) G[j] = t[B[j], M[i]]; row(M[i], "**total**", t[ours, M[i]], t[theirs, M[i]]);
        printf "| %s | instructions per MAC (%s MACs) |", M[i], commas(macs[M[i]]);
        for (j = 1; j <= nb; j++) printf " %.2f |", t[B[j], M[i]] / (macs[M[i]] > 0 ? macs[M[i]] : 1); printf " |\n" }
    }' "$results"
  echo
  echo "Per layer (conv, depthwise, FC calls; instructions per MAC in brackets):"
  echo
  echo "| model | call | operator | MACs | $(echo $builds | sed 's/ / | /g') |"
  echo "|---|---:|---|---:|$(for b in $builds; do printf -- '---:|'; done)"
  awk -F'\t' -v builds="$builds" -v models="$models" '
    '"$commas"'
    BEGIN { nb = split(builds, B, " "); nm = split(models, M, " "); name[2] = "CONV_2D"; name[3] = "DEPTHWISE_CONV_2D"; name[1] = "FULLY_CONNECTED" }
    { v[$1, $2, $3] = $5; if ($1 == B[1]) { op[$2, $3] = $4; mac[$2, $3] = $6; if ($3 + 1 > n[$2]) n[$2] = $3 + 1 } }
    END {
      for (i = 1; i <= nm; i++) for (c = 0; c < n[M[i]]; c++) if (mac[M[i], c] > 0) {
        printf "| %s | %d | %s | %s |", M[i], c, name[op[M[i], c]], commas(mac[M[i], c]);
        for (j = 1; j <= nb; j++) printf " %s (%.2f) |", commas(v[B[j], M[i], c]), v[B[j], M[i], c] / mac[M[i], c]; printf "\n" }
    }' "$work/calls.tsv"
  echo
fi

if [ "$mode" = --choice ]; then
  # Per call: the shape, our DSP kernel's count, CMSIS-NN's, the rule table's pick and its count (the pick's kernel
  # plus nq_kernel_for's own 40-120 instructions). "<-- slower" marks a call where the table picked the kernel that
  # costs more than the other by more than one timer tick (40 instructions).
  for cpu in m4 m7; do
    [ -f "$work/best-$cpu-${models%% *}.log" ] || continue
    echo "cortex-$cpu: per call (conv, depthwise, FC): instructions with our DSP kernel, with CMSIS-NN, and what the rule table runs"
    printf "%-24s %5s %-10s %-44s %10s %10s %-9s %10s\n" model call operator shape ours cmsis-nn pick best
    for model in $models; do
      paste -d' ' <(grep '^call .* instr' "$work/dsp-$cpu-$model.log") <(grep '^call .* instr' "$work/cmsis_nn-$cpu-$model.log" | awk '{print $6}') \
        <(grep '^call .* instr' "$work/best-$cpu-$model.log" | awk '{print $6, $10}') | awk -v m="$model" '
        $4 == 2 || $4 == 3 || $4 == 1 {
          n = NF; ours = $6; cm = $(n - 2); best = $(n - 1); pick = $n == 1 ? "cmsis-nn" : "ours"
          if ($4 == 1) { op = "FC"; shape = sprintf("%d x %d -> %d%s", $12, $13, $14, $15 ? " per-ch" : "") }
          else { op = $4 == 2 ? "CONV_2D" : "DEPTHWISE"
                 shape = sprintf("%dx%dx%d->%dx%dx%d k%dx%d %s%d s%d d%d", $13, $14, $15, $16, $17, $18, $19, $20, $4 == 2 ? "g" : "m", $4 == 2 ? $15 / $21 : $21, $22, $24) }
          lo = ours < cm ? ours : cm
          printf "%-24s %5d %-10s %-44s %10d %10d %-9s %10d%s\n", m, $2, op, shape, ours, cm, pick, best, (($n == 1 && ours + 40 < cm) || ($n != 1 && cm + 40 < ours) ? "  <-- slower" : "")
          t_ours += ours; t_cm += cm; t_best += best; t_lo += lo }
        END { printf "%-24s %5s %-10s %-44s %10d %10d %-9s %10d   (the faster of the two per call: %d)\n", m, "", "TOTAL", "", t_ours, t_cm, "", t_best, t_lo }'
    done
    echo
  done
  [ "$failed" -eq 0 ] || { echo "$failed runs failed (above)" >&2; exit 1; }
  exit 0
fi

# The table: per model, per operator, instructions per build; then totals and instructions per MAC.
[ "$mode" = --markdown ] || awk -F'\t' -v builds="$builds" -v models="$models" '
  BEGIN { nb = split(builds, B, " "); nm = split(models, M, " ");
          # the operator codes of nanoquant_kernels.h (NQ_OP_*), in table order
          no = split("2 3 1 4 5 8 10 7 12", code, " "); split("CONV_2D DEPTHWISE FC AVG_POOL MAX_POOL ADD/SUB MUL SOFTMAX MEAN", label, " ");
          for (k = 1; k <= no; k++) name[code[k]] = label[k] }
  { v[$1, $2, $3] = $4; t[$1, $2] += $4; if ($1 == B[1]) { macs[$2] += $5; has[$2, $3] = 1 } }
  END {
    printf "%-24s %-10s", "model", "operator"; for (j = 1; j <= nb; j++) printf " %13s", B[j]; printf "\n";
    for (i = 1; i <= nm; i++) {
      for (k = 1; k <= no; k++) { o = code[k]; if (has[M[i], o]) {
        printf "%-24s %-10s", M[i], name[o]; for (j = 1; j <= nb; j++) printf " %13d", v[B[j], M[i], o]; printf "\n" } }
      printf "%-24s %-10s", M[i], "TOTAL"; for (j = 1; j <= nb; j++) printf " %13d", t[B[j], M[i]]; printf "\n";
      printf "%-24s %-10s", M[i], "instr/MAC"; for (j = 1; j <= nb; j++) printf " %13.2f", t[B[j], M[i]] / (macs[M[i]] > 0 ? macs[M[i]] : 1);
      printf "   (%d MACs)\n", macs[M[i]] }
  }' "$results"
echo
echo "stack (-fstack-usage: nq_run's frame + the deepest kernel call chain, bytes) and kernel code size (text+data of native/kernels):"
for build in $builds; do
  awk -F'\t' -v build="$build" -v size="$(awk '$6 == "(TOTALS)" {print $1 + $2}' "$work/$build.size")" '
    function max3(a, b, c) { return a > b ? (a > c ? a : c) : (b > c ? b : c) }
    { n = $1; sub(/.*:/, "", n); f[n] = $2 + 0; if ($3 !~ /^static/) dyn++ }
    END {
      # the conv block passes are naked functions (-fstack-usage says 0): their push of 9 registers, 36 bytes
      conv_dsp = f["nq_conv_2d_dsp"] + max3(f["nq_dsp_im2col"], f["nq_dsp_im2col_inside"], 36)
      chain["conv"] = f["nq_conv_2d"] + conv_dsp + f["nq_vendor_conv_2d"]
      # the planar depthwise kernel: its naked passes push at most 13 registers (52 bytes)
      deepest = max3(max3(f["nq_depthwise_dsp"], f["nq_depthwise_rows_dsp"], f["nq_depthwise_3x3_dsp"]), f["nq_depthwise_single_dsp"], conv_dsp)
      if ("nq_depthwise_planar_dsp" in f && f["nq_depthwise_planar_dsp"] + 52 > deepest) deepest = f["nq_depthwise_planar_dsp"] + 52
      # the multiplier kernel calls its pass (nq_multiplier_pass)
      if ("nq_depthwise_multiplier_dsp" in f && f["nq_depthwise_multiplier_dsp"] + f["nq_multiplier_pass"] > deepest) deepest = f["nq_depthwise_multiplier_dsp"] + f["nq_multiplier_pass"]
      chain["depthwise"] = f["nq_depthwise_conv_2d"] + f["nq_depthwise_conv_2d_dsp"] + deepest + f["nq_vendor_depthwise_conv_2d"]
      chain["fc"] = f["nq_fully_connected"] + f["nq_fully_connected_dsp"] + f["nq_vendor_fully_connected"]
      chain["average pool"] = f["nq_average_pool_2d"] + f["nq_average_pool_sums_dsp"]
      worst = 0; for (k in chain) if (chain[k] > worst) { worst = chain[k]; which = k }
      for (k in f) if (k ~ /^nq_(average_pool_2d|max_pool_2d|add|mul|softmax|mean)$/ && f[k] > worst) { worst = f[k]; which = k }
      printf "  %-13s stack %d + %d (%s) = %d bytes, %d dynamic frames; code %d bytes\n", build, f["nq_run"], worst, which, f["nq_run"] + worst, dyn, size
    }' "$work/$build.su"
done
[ "$failed" -eq 0 ] || { echo "$failed runs failed (above)" >&2; exit 1; }
