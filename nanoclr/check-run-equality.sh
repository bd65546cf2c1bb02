#!/usr/bin/env bash
# The full run-equality sweep: `nanoquant run --runtime nanoclr` against `--runtime dotnet` on every model of
# ../shared/models that converts (recursively; float models quantized int8 and 16x8 on random calibration data),
# MobileNetV2 224x224 included, two random samples each, and 200 mutants of the small int8 models no test has
# seen (tests/NanoQuant.NanoClr.Tests/RunEqualitySweep.cs). About an hour on 2 cores (MobileNetV2 alone takes
# several minutes per Invoke on nanoCLR); .ci/run runs the cheaper part (models up to 100 M MACs, one sample,
# 40 mutants). Prints the tables (recorded in docs/nanoframework.md) and exits 1 if any output differs.
#
#   nanoclr/check-run-equality.sh [OUT_DIR]     (tables also written to OUT_DIR, default artifacts/run-equality)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/run-equality}"
mkdir -p "$out"
NANOQUANT_NANOCLR_SWEEP=full NANOQUANT_NANOCLR_SWEEP_REPORT="$(cd "$out" && pwd)" \
  timeout 10800 dotnet test tests/NanoQuant.NanoClr.Tests -c Release --filter "FullyQualifiedName~NanoClrEqualityTests" \
  --logger "console;verbosity=normal" 2>&1 | tee "$out/dotnet-test.log" | grep -E '^\s+(Passed|Failed) |^(Passed|Failed)!|error'
status=${PIPESTATUS[0]}
for part in models mutants; do
  [ -f "$out/run-equality-$part.md" ] && { echo; echo "== $part"; cat "$out/run-equality-$part.md"; }
done
exit "$status"
