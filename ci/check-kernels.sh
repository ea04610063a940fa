#!/usr/bin/env bash
# Checks that the committed CUDA module (native/) was built from the current kernel sources:
# native/MANIFEST.sha256 must list exactly kernels/** and native/build.sh with their SHA-256.
# Fails with "stale kernels: run native/build.sh" otherwise. Needs only sha256sum; the same check
# runs in `mvn verify` (KernelModuleTest), which fails on staleness when nvcc is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
actual=$( { find kernels -type f | LC_ALL=C sort; echo native/build.sh; } | xargs sha256sum)
if ! diff -u native/MANIFEST.sha256 <(printf '%s\n' "$actual"); then
  echo "stale kernels: run native/build.sh (native/MANIFEST.sha256 does not match kernels/ and native/build.sh)" >&2
  exit 1
fi
for f in native/lossengine.fatbin native/lossengine.ptx; do
  [[ -s "$f" ]] || { echo "missing $f: run native/build.sh" >&2; exit 1; }
done
echo "kernels up to date: $(wc -l < native/MANIFEST.sha256) sources match native/MANIFEST.sha256"
