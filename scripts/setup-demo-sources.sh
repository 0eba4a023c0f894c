#!/bin/sh
# Installs the Debian packages the embedded demo corpus is generated from (see data-manifests/demo/README.md), and
# extracts the few files it uses from three big packages that are NOT installed (0ad-data 1.4 GB, supertuxkart-data
# 0.6 GB, wesnoth-1.16-data 0.15 GB): each is downloaded to a temporary folder, only the needed members are kept under
# /usr/share/psl-lab-demo/<package>/, and the .deb is deleted.
# Idempotent: packages already installed and members already extracted are skipped; prints what it installs or
# extracts (or what to run when it cannot).
# Works as root, through sudo when not root and sudo is available; otherwise prints the command for an administrator.
# PSL_DEMO_DEB_DIR=/some/dir: use <package>_*.deb files already downloaded there instead of downloading them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sources_csv="$here/../data-manifests/demo/sources.csv"

# Keep in sync with the `package` column of data-manifests/demo/sources.csv (the generator names the package when a file is missing).
PACKAGES="sound-theme-freedesktop sound-icons sonic-pi-samples lmms-common asterisk-moh-opsound-wav tuxpaint-stamps-default hedgewars-data lomiri-sounds fluid-soundfont-gs timgm6mb-soundfont fluidr3mono-gm-soundfont musescore-general-soundfont-small csound-soundfont fluidsynth espeak-ng"

# Packages whose members are extracted: package, how the members are stored in it, and where.
#   zip:<path of a zip inside the package>   members are paths inside that zip (read as a stream, never stored whole)
#   dir:<folder inside the package>          members are paths below that folder
# sources.csv names each file as /usr/share/psl-lab-demo/<package>/<member>; the member lists come from there.
EXTRACT_ROOT=/usr/share/psl-lab-demo
ARCHIVES="0ad-data=zip:/usr/share/games/0ad/mods/public/public.zip supertuxkart-data=dir:/usr/share/games/supertuxkart/data wesnoth-1.16-data=dir:/usr/share/games/wesnoth/1.16/data/core/sounds"

if [ "$(id -u)" = "0" ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  run="none"
fi

apt_lists_ready() {
  # A fresh container has no package lists; update once, and again only if the install fails on stale lists.
  if [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
    $run apt-get update
  fi
}

# ---- 1. Installed packages ----
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
else
  echo "setup-demo-sources: installing:$missing"
  if [ "$run" = "none" ]; then
    echo "setup-demo-sources: not root and no sudo; ask an administrator to run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing" >&2
    echo "  sh $0   # again, for the files extracted from 0ad-data, supertuxkart-data and wesnoth-1.16-data" >&2
    exit 1
  fi
  start=$(date +%s)
  apt_lists_ready
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  if ! $run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; then
    $run apt-get update
    $run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
  fi
  echo "setup-demo-sources: done in $(( $(date +%s) - start )) s"
fi

# ---- 2. Members extracted from packages that are not installed ----
if [ ! -f "$sources_csv" ]; then
  echo "setup-demo-sources: $sources_csv not found (run this script from a checkout of the kit)" >&2
  exit 1
fi

# Members of <package> that sources.csv uses, one per line (the path column is the 3rd; ids and packages hold no comma).
members_of() {
  awk -F, -v prefix="$EXTRACT_ROOT/$1/" 'NR > 1 && index($3, prefix) == 1 { print substr($3, length(prefix) + 1) }' "$sources_csv" | sort -u
}

# The .deb of <package> in <folder>: from $PSL_DEMO_DEB_DIR when it holds one, else downloaded there by apt.
deb_of() {
  package=$1 folder=$2
  if [ -n "${PSL_DEMO_DEB_DIR:-}" ]; then
    found=$(ls "$PSL_DEMO_DEB_DIR"/"${package}"_*.deb 2>/dev/null | tail -n 1)
    if [ -n "$found" ]; then
      echo "$found"
      return 0
    fi
  fi
  apt_lists_ready >&2
  # apt's download user must be able to write the folder.
  chmod a+rwx "$folder"
  if ! (cd "$folder" && $run apt-get download "$package" >&2); then
    $run apt-get update >&2
    (cd "$folder" && $run apt-get download "$package" >&2)
  fi
  ls "$folder"/"${package}"_*.deb 2>/dev/null | tail -n 1
}

extract_archive() {
  package=$1 kind=$2 inner=$3
  dest="$EXTRACT_ROOT/$package"
  members=$(members_of "$package")
  [ -n "$members" ] || return 0
  absent=""
  count=0
  for member in $members; do
    count=$((count + 1))
    [ -f "$dest/$member" ] || absent="$absent $member"
  done
  if [ -z "$absent" ]; then
    echo "setup-demo-sources: $package: all $count files present in $dest"
    return 0
  fi
  if [ "$run" = "none" ]; then
    echo "setup-demo-sources: $package: $dest lacks$absent; not root and no sudo: ask an administrator to run sh $0" >&2
    exit 1
  fi
  start=$(date +%s)
  work=$(mktemp -d "${TMPDIR:-/tmp}/psl-demo-$package.XXXXXX")
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" EXIT INT TERM
  deb=$(deb_of "$package" "$work")
  if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    echo "setup-demo-sources: $package: could not download its .deb (apt-get download $package)" >&2
    exit 1
  fi
  echo "setup-demo-sources: $package: extracting $count files from $deb ($(( $(stat -L -c %s "$deb") / 1000000 )) MB) to $dest"
  $run mkdir -p "$dest"
  mkdir -p "$work/x"
  # --occurrence: tar stops reading once it has every named member, so dpkg-deb may then report a broken pipe; its
  # messages are kept in a file and shown only when the extraction itself fails.
  if ! dpkg-deb --fsys-tarfile "$deb" 2>"$work/dpkg.err" | tar -x --occurrence -C "$work/x" "./usr/share/doc/$package/copyright"; then
    cat "$work/dpkg.err" >&2
    echo "setup-demo-sources: $package: cannot read $deb" >&2
    exit 1
  fi
  $run cp "$work/x/usr/share/doc/$package/copyright" "$dest/copyright"
  # Members go to $work/members first (as the calling user), then into $dest (through sudo when needed).
  case $kind in
    zip)
      # The zip is streamed from the package into the member extractor: nothing of it is stored.
      # shellcheck disable=SC2086 # one argument per member is intended
      if ! dpkg-deb --fsys-tarfile "$deb" 2>"$work/dpkg.err" | tar -xO --occurrence ".$inner" | node "$here/extract-zip-members.mjs" "$work/members" $members; then
        cat "$work/dpkg.err" >&2
        echo "setup-demo-sources: $package: extracting from .$inner failed" >&2
        exit 1
      fi
      ;;
    dir)
      paths=""
      for member in $members; do paths="$paths .$inner/$member"; done
      # shellcheck disable=SC2086
      if ! dpkg-deb --fsys-tarfile "$deb" 2>"$work/dpkg.err" | tar -x --occurrence -C "$work/x" $paths; then
        cat "$work/dpkg.err" >&2
        echo "setup-demo-sources: $package: extracting from .$inner failed" >&2
        exit 1
      fi
      mkdir -p "$work/members"
      (cd "$work/x$inner" && tar -cf - $members) | (cd "$work/members" && tar -xf -)
      ;;
  esac
  for member in $members; do
    if [ ! -f "$work/members/$member" ]; then
      echo "setup-demo-sources: $package: $member is not in $deb" >&2
      exit 1
    fi
    $run mkdir -p "$(dirname "$dest/$member")"
    $run cp "$work/members/$member" "$dest/$member.part"
    $run mv "$dest/$member.part" "$dest/$member"
  done
  echo "$(basename "$deb")" | $run tee "$dest/extracted-from" >/dev/null
  rm -rf "$work"
  trap - EXIT INT TERM
  echo "setup-demo-sources: $package: $count files in $dest, done in $(( $(date +%s) - start )) s"
}

for entry in $ARCHIVES; do
  package=${entry%%=*}
  spec=${entry#*=}
  extract_archive "$package" "${spec%%:*}" "${spec#*:}"
done
