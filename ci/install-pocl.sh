#!/usr/bin/env bash
# Installs what the device tests need on Debian/Ubuntu (root; CI runs as root):
# - PoCL (a CPU OpenCL implementation) and the ICD loader, so the OpenCL parity tests run the real
#   kernels on this machine's CPU;
# - the OpenCL and zstd headers, with which the tests build the emulated CUDA driver
#   (src/test/native/cudaemu: a libcuda.so.1 over OpenCL) to run the CUDA host code without a GPU.
set -euo pipefail
# grep without -q reads all of ldconfig's output (-q would stop early, and pipefail would see SIGPIPE)
if ldconfig -p 2>/dev/null | grep 'libOpenCL.so.1' >/dev/null && ls /etc/OpenCL/vendors/*pocl*.icd >/dev/null 2>&1 \
    && [[ -f /usr/include/CL/cl.h && -f /usr/include/zstd.h ]]; then
  echo "PoCL, the OpenCL headers and zstd already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q pocl-opencl-icd ocl-icd-opencl-dev libzstd-dev
