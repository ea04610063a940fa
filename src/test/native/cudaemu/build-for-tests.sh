#!/usr/bin/env bash
# Builds the emulated CUDA driver for the test run (pom.xml, profile cuda-emulated):
#   build-for-tests.sh OUT_DIR JCUDA_NATIVES_JAR JCUBLAS_NATIVES_JAR   (also the fake OUT_DIR/cublas/libcublas.so.12)
# Where it cannot be built (no gcc, no OpenCL or zstd headers), writes the reason to OUT_DIR/UNAVAILABLE
# and exits 0: the CUDA tests then skip with that reason, except on CI (CI=true), where they fail
# (io.github.lossengine.device.DeviceEngines).
set -uo pipefail
out=$1
jar=$2
blas=${3:-}
rm -rf "$out"
mkdir -p "$out"
if log=$(bash "$(dirname "$0")/build.sh" "$out" "$jar" ${blas:+"$blas"} 2>&1); then
  echo "cudaemu: built $out/libcuda.so.1"
else
  printf 'the emulated CUDA driver could not be built (src/test/native/cudaemu/build.sh): %s\n' \
    "$(tail -n 3 <<<"$log" | tr '\n' ' ')" > "$out/UNAVAILABLE"
  echo "cudaemu: $(cat "$out/UNAVAILABLE")" >&2
fi
exit 0
