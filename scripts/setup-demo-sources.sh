#!/bin/sh
# Installs the Debian packages the embedded demo corpus is generated from (see data-manifests/demo/README.md).
# Idempotent: packages already installed are skipped; prints exactly what it installs (or what to install when it cannot).
# Works as root, through sudo when not root and sudo is available; otherwise prints the command for an administrator.
set -eu

# Keep in sync with the `package` column of data-manifests/demo/sources.csv (the generator names the package when a file is missing).
PACKAGES="sound-theme-freedesktop sound-icons sonic-pi-samples lmms-common asterisk-moh-opsound-wav tuxpaint-stamps-default hedgewars-data fluid-soundfont-gs timgm6mb-soundfont fluidr3mono-gm-soundfont musescore-general-soundfont-small csound-soundfont fluidsynth espeak-ng"

missing=""
for package in $PACKAGES; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    :
  else
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  echo "setup-demo-sources: all demo source packages already installed ($PACKAGES)"
  exit 0
fi

echo "setup-demo-sources: installing:$missing"
if [ "$(id -u)" = "0" ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  echo "setup-demo-sources: not root and no sudo; ask an administrator to run:" >&2
  echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi

start=$(date +%s)
# A fresh container has no package lists; update once, and again only if the install fails on stale lists.
if [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
  $run apt-get update
fi
# shellcheck disable=SC2086 # word splitting of the package list is intended
if ! $run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; then
  $run apt-get update
  $run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
echo "setup-demo-sources: done in $(( $(date +%s) - start )) s"
