#!/usr/bin/env bash
# Builds the CUDA module from kernels/ with nvcc 13 and records the sources it came from.
#
#   native/build.sh            # writes native/lossengine.fatbin, native/lossengine.ptx, native/MANIFEST.sha256
#
# The module is the platform prelude kernels/platform/cuda.h followed by the files listed in
# kernels/MODULE, concatenated exactly as the OpenCL backend does at run time. The fatbin holds SASS
# for sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_120 and PTX for compute_75 (JIT for newer GPUs);
# it needs an R580+ driver (nvcc 13 emits PTX ISA 9.0). ptxas runs with -v; the build fails when a
# kernel spills registers, unless a kernel source carries the comment
#   SPILL-OK(<kernel symbol>): <why the spill is acceptable>
# The outputs are committed, so a machine without nvcc still builds a GPU-capable jar;
# ci/check-kernels.sh verifies that MANIFEST.sha256 matches the sources.
set -euo pipefail
cd "$(dirname "$0")/.."

NVCC="${NVCC:-}"
if [[ -z "$NVCC" ]]; then
  if command -v nvcc >/dev/null 2>&1; then NVCC=nvcc
  elif [[ -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ]]; then NVCC="${CUDA_HOME:-/usr/local/cuda}/bin/nvcc"
  else echo "native/build.sh: nvcc not found (set NVCC or CUDA_HOME)" >&2; exit 1
  fi
fi
version=$("$NVCC" --version | sed -n 's/.*release \([0-9]*\)\..*/\1/p')
if [[ "${version:-0}" -lt 13 ]]; then
  echo "native/build.sh: nvcc 13 or newer required, found release ${version:-unknown}" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unit="$work/lossengine.cu"
{
  cat kernels/platform/cuda.h
  echo
  grep -v '^[[:space:]]*#' kernels/MODULE | grep -v '^[[:space:]]*$' | while read -r f; do
    echo "/* ---- $f ---- */"
    cat "kernels/$f"
    echo
  done
} > "$unit"

gencode=()
for sm in 75 80 86 89 90 100 120; do
  gencode+=(-gencode "arch=compute_$sm,code=sm_$sm")
done
gencode+=(-gencode "arch=compute_75,code=compute_75")

common=(-O3 -std=c++17 -Xptxas -v -Werror all-warnings)
"$NVCC" -fatbin "${common[@]}" "${gencode[@]}" -o "$work/lossengine.fatbin" "$unit" 2> "$work/ptxas.log" || {
  cat "$work/ptxas.log" >&2; exit 1; }
"$NVCC" -ptx -O3 -std=c++17 -arch=compute_75 -o "$work/lossengine.ptx" "$unit"

# Spill check: ptxas reports "Compiling entry function 'NAME' for 'sm_XX'" then
# "N bytes spill stores, M bytes spill loads" for it.
spills=$(awk '
  /Compiling entry function/ { match($0, /function .[A-Za-z0-9_]+/); fn = substr($0, RSTART + 10, RLENGTH - 10); arch = $NF }
  /Function properties for/ { fn = $NF }
  /spill stores/ { s = $5 + 0; l = $9 + 0; if (s > 0 || l > 0) print fn " " arch ": " $0 }
' "$work/ptxas.log" | sort -u)
bad=""
while IFS= read -r line; do
  [[ -z "$line" ]] && continue
  fn=${line%% *}
  if ! grep -rq "SPILL-OK($fn)" kernels/; then bad+="$line"$'\n'; fi
done <<< "$spills"
if [[ -n "$bad" ]]; then
  echo "native/build.sh: register spills without a SPILL-OK(<kernel>) justification in kernels/:" >&2
  printf '%s' "$bad" >&2
  exit 1
fi

cp "$work/lossengine.fatbin" native/lossengine.fatbin
cp "$work/lossengine.ptx" native/lossengine.ptx
# compile times vary run to run: leave them out so a rebuild from the same sources changes nothing
grep -v "Compile time" "$work/ptxas.log" > native/ptxas.log
# The manifest: every kernel source and this script (build flags change the output too).
{ find kernels -type f | LC_ALL=C sort; echo native/build.sh; } | xargs sha256sum > native/MANIFEST.sha256

kernels=$(grep -c '^\.visible \.entry' native/lossengine.ptx || true)
echo "native/build.sh: $kernels kernels, nvcc release $version, no unjustified spills"
echo "  native/lossengine.fatbin ($(stat -c %s native/lossengine.fatbin) bytes), native/lossengine.ptx, native/MANIFEST.sha256"
