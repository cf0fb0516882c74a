#!/usr/bin/env bash
# Builds (once) the throwaway Debian root filesystem that the jump_host role test runs against.
#
# Usage: rootfs.sh [PACKAGE...]
#   Prints the path of the cached root filesystem. PACKAGEs are downloaded (not installed) into its
#   apt cache, so each fresh copy installs them from local .debs instead of the network.
# Cache: ${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}/rootfs/debian-<suite>-<arch>/ (outside the repo).
# Mirror: the one this machine's apt sources already use (override with MEDQA_DEBIAN_MIRROR).
set -euo pipefail

suite="${MEDQA_ROOTFS_SUITE:-bookworm}"
arch="$(dpkg --print-architecture)"
cache="${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}/rootfs"
# What a Debian cloud image has before configuration management: init, Python, TLS roots.
base="python3,ca-certificates,gnupg,systemd,systemd-sysv"
# The Azure SDK for Python that Debian's azure-cli depends on: byte-compiling it takes minutes, so it is
# installed once here, as if it were part of the image. azure-cli itself is still installed by the role.
preinstall="python3-azure"
target="$cache/debian-$suite-$arch"

mirror_from_sources() {
  # First plain Debian URI in apt's sources (deb822 "URIs:" or one-line "deb URL suite ...").
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } \
    | grep -Eo 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true
}

mirror="${MEDQA_DEBIAN_MIRROR:-$(mirror_from_sources)}"
[[ -n "$mirror" ]] || { echo "rootfs.sh: no Debian mirror in apt sources; set MEDQA_DEBIAN_MIRROR" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "rootfs.sh: debootstrap missing: apt-get install -y debootstrap" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || { echo "rootfs.sh: must run as root (debootstrap, chroot)" >&2; exit 2; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [[ "$(cat "$target/.medqa-complete" 2>/dev/null)" != "$base $preinstall" ]]; then
  rm -rf "$target" "$target.partial"
  debootstrap --variant=minbase --include="$base" \
    "$suite" "$target.partial" "$mirror" >&2
  # Security updates, as on a real host (the role's unattended-upgrades follows this suite).
  security="${mirror%/debian*}/debian-security"
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    echo "deb $security $suite-security main"
  } >"$target.partial/etc/apt/sources.list"
  chroot "$target.partial" apt-get update -q >&2
  printf '#!/bin/sh\nexit 101\n' >"$target.partial/usr/sbin/policy-rc.d"
  chmod 0755 "$target.partial/usr/sbin/policy-rc.d"
  mount -t proc proc "$target.partial/proc"
  trap 'umount "$target.partial/proc" 2>/dev/null || true' EXIT
  chroot "$target.partial" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -q -y --no-install-recommends $preinstall >&2
  umount "$target.partial/proc"
  rm -f "$target.partial/usr/sbin/policy-rc.d"
  chroot "$target.partial" apt-get clean
  echo "$base $preinstall" >"$target.partial/.medqa-complete"
  mv "$target.partial" "$target"
fi

if (($# > 0)); then
  stamp="$target/.medqa-predownloaded"
  wanted="$(printf '%s\n' "$@" | sort -u)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    chroot "$target" apt-get update -q >&2
    chroot "$target" env DEBIAN_FRONTEND=noninteractive apt-get install -q -y --download-only "$@" >&2
    printf '%s\n' "$wanted" >"$stamp"
  fi
fi
echo "$target"
