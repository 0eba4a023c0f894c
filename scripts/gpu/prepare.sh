#!/usr/bin/env bash
# Packs everything scripts/gpu/run.sh needs on a bare NVIDIA GPU machine that cannot reach a package registry into
# .cache/gpu-kit (about 35 MB, git-ignored): the measurement (scripts/gpu/gpu-bench.ts bundled with the kit, tfjs and
# tfjs-backend-webgpu; the audio decoders' optional codecs stay external, never loaded), Node, Dawn (npm webgpu's
# prebuilt dawn.node), and the Vulkan loader + glvnd .debs (the NVIDIA Vulkan driver needs libGLX/libEGL through
# glvnd; without them Dawn finds no adapter). Takes a few minutes (xz).
# Run it here (after npm ci), then copy the repository with .cache/gpu-kit to the GPU machine and run scripts/gpu/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.cache/gpu-kit
rm -rf "$kit"
mkdir -p "$kit/debs" "$kit/webgpu"
# require.main is defined away: in a bundle every module is "main", and lib/bench/frontend.ts would run its own bench.
node_modules/.bin/esbuild scripts/gpu/gpu-bench.ts --bundle --platform=node --format=cjs --target=node20 \
  --external:webgpu --external:@audio/* --define:require.main=null --log-level=error --outfile="$kit/gpu-bench.cjs"
# Node's official Linux build links only libc/libstdc++: it runs on any glibc distribution.
xz -T0 -6 -c "$(command -v node)" > "$kit/node.xz"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$kit/dawn.node.xz"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$kit/webgpu/"
(cd "$kit/debs" && apt-get download -q libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
du -sh "$kit"
echo "ready: copy the repository with $kit to the GPU machine, then: bash scripts/gpu/run.sh [outDir]"
