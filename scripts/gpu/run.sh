#!/usr/bin/env bash
# Issue 15's GPU measurement on a bare NVIDIA GPU machine without registry access, from the repository root:
#
#   bash scripts/gpu/run.sh [outDir]      (needs .cache/gpu-kit from scripts/gpu/prepare.sh; sized for under 5 minutes,
#                                          capped at 280 s; not yet run on a GPU in this project)
#
# Unpacks Node and Dawn, makes the Vulkan loader and glvnd available (system ones if present, else the .debs), points
# the Vulkan loader at the NVIDIA driver's ICD, and runs the bundled measurement: the kit on WebGPU (training step
# 32 × 2 s, inference on 10-s clips, annotation clips/s, dispatches per step) and PyTorch CUDA on the same GPU in the
# same run when python3 has torch with CUDA. Writes gpu-bench.md / gpu-bench.json to outDir (default: $OUT or
# .cache/gpu-kit/results) and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=$PWD/.cache/gpu-kit
[ -f "$kit/gpu-bench.cjs" ] || { echo "missing $kit: run scripts/gpu/prepare.sh on a machine with the repository's node_modules first" >&2; exit 1; }
out=$(realpath -m "${1:-${OUT:-$kit/results}}")
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "(no nvidia-smi)"

# Vulkan loader and glvnd: the system's when present, else the packed .debs (into / as root, as on the bare device
# machines this was written for; else, or with PSL_GPU_SYSROOT=1, into a private sysroot on LD_LIBRARY_PATH).
missing=0
for lib in libvulkan.so.1 libGLX.so.0 libEGL.so.1 libGLdispatch.so.0; do ldconfig -p | grep -q " $lib " || missing=1; done
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" = 0 ] && [ -z "${PSL_GPU_SYSROOT:-}" ]; then
    for f in "$kit"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    for f in "$kit"/debs/*.deb; do dpkg -x "$f" "$kit/sysroot"; done
    export LD_LIBRARY_PATH="$kit/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi

# The driver's Vulkan ICD and EGL vendor file (container images put them in different places).
first() { for f in "$@"; do [ -f "$f" ] && { echo "$f"; return 0; }; done; return 0; }
icd=$(first /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json)
egl=$(first /usr/share/glvnd/egl_vendor.d/10_nvidia.json /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /etc/glvnd/egl_vendor.d/10_nvidia.json)
if [ -n "$icd" ]; then export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$icd}; else echo "warning: no nvidia_icd.json found; set VK_DRIVER_FILES" >&2; fi
if [ -n "$egl" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}; fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$kit}

[ -x "$kit/node" ] || { xz -dc "$kit/node.xz" > "$kit/node"; chmod +x "$kit/node"; }
mkdir -p "$kit/node_modules/webgpu/dist/linux-x64"
cp "$kit"/webgpu/* "$kit/node_modules/webgpu/"
[ -f "$kit/node_modules/webgpu/dist/linux-x64/dawn.node" ] || xz -dc "$kit/dawn.node.xz" > "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"

PSL_BACKEND=webgpu timeout "${PSL_GPU_TIMEOUT:-280}" "$kit/node" "$kit/gpu-bench.cjs" "$out" 2> >(grep -v '^    at ' | tee "$out/gpu-bench.log" >&2)
