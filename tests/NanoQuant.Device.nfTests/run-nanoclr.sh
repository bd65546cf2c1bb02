#!/usr/bin/env bash
# Runs the nanoFramework test project (NFUnitTest) in the nanoclr emulator when it is installed;
# otherwise says so and runs the same checks on desktop .NET (GoldenChecks.cs on the same embedded
# golden models, plus the nanoFramework guard and the storage/streaming tests).
#
#   tests/NanoQuant.Device.nfTests/run-nanoclr.sh [folder with the built .pe files]
#
# The .pe files come from building NanoQuant.Device.nfTests.nfproj with the nanoFramework toolchain
# (Visual Studio + .NET nanoFramework extension, or msbuild on Windows); default folder: bin/Release,
# then bin/Debug. nanoclr is the .NET tool "nanoclr" (dotnet tool install -g nanoclr).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

desktop() {
    echo "Running the same checks on desktop .NET instead."
    cd "$root"
    dotnet test tests/NanoQuant.Tests --filter "FullyQualifiedName~NanoQuant.Tests.NanoFramework"
}

if ! command -v nanoclr >/dev/null 2>&1; then
    echo "nanoclr (the .NET nanoFramework emulator) was not found."
    desktop
    exit $?
fi

pe_dir="${1:-}"
if [ -z "$pe_dir" ]; then
    for candidate in "$here/bin/Release" "$here/bin/Debug"; do
        if compgen -G "$candidate/*.pe" >/dev/null; then
            pe_dir="$candidate"
            break
        fi
    done
fi

if [ -z "$pe_dir" ] || ! compgen -G "$pe_dir/*.pe" >/dev/null; then
    echo "nanoclr is installed, but no built .pe files were found (build NanoQuant.Device.nfTests.nfproj first, or pass the folder)."
    desktop
    exit $?
fi

# The unit test launcher runs NFUnitTest.pe's [TestClass]es and prints "Test passed,..." /
# "Test failed,..." lines, then "Done." (nanoFramework.TestFramework's protocol).
echo "Running the nanoFramework tests in nanoclr from $pe_dir"
mapfile -t assemblies < <(ls "$pe_dir"/*.pe)
log="$(mktemp)"
set +e
nanoclr run --assemblies "${assemblies[@]}" | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^Test passed' "$log" || true)
failed=$(grep -c '^Test failed' "$log" || true)
rm -f "$log"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
