#!/usr/bin/env bash
# Builds the emulated driver into OUT_DIR (unless it is there) and runs its self-test.
#   bash src/test/native/cudaemu/run-selftest.sh OUT_DIR [JCUDA_NATIVES_JAR]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: run-selftest.sh OUT_DIR [JCUDA_NATIVES_JAR]" >&2; exit 2; }
OUT=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)
JAR=${2:-$HOME/.m2/repository/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar}
if [ ! -x "$OUT/cudaemu-selftest" ] || [ ! -f "$OUT/libcuda.so.1" ]; then
    bash "$HERE/build.sh" "$OUT" "$JAR"
fi
CUDAEMU_KERNELS=${CUDAEMU_KERNELS:-$REPO/kernels} LD_LIBRARY_PATH="$OUT${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$OUT/cudaemu-selftest" "$REPO/native"
