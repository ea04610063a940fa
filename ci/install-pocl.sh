#!/usr/bin/env bash
# Installs PoCL (a CPU OpenCL implementation) and the ICD loader, so the OpenCL parity tests run
# the real kernels on this machine's CPU. Debian/Ubuntu; needs root (CI runs as root).
set -euo pipefail
# grep without -q reads all of ldconfig's output (-q would stop early, and pipefail would see SIGPIPE)
if ldconfig -p 2>/dev/null | grep 'libOpenCL.so.1' >/dev/null && ls /etc/OpenCL/vendors/*pocl*.icd >/dev/null 2>&1; then
  echo "PoCL already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q pocl-opencl-icd ocl-icd-opencl-dev
