#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, and nothing that is already there:
# Debian packages (PostgreSQL server binaries and the other system tools the tests drive),
# the Python environment (uv sync), and the pinned platform tools (scripts/tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the test suite drives; each line says who needs it.
APT_PACKAGES=(
  postgresql        # integration and end-to-end tests: a throwaway local cluster
  prometheus        # observability tests: promtool and a real Prometheus server
  util-linux        # unshare: toolchain tests prove tools run with no network
  chromium          # browser tests of the chat page (Playwright drives Debian's Chromium; no download)
  buildah           # image test: builds the Dockerfile without a Docker daemon
  debootstrap       # image test and Ansible test: throwaway Debian root filesystems
  shellcheck        # workflow tests: actionlint checks run: scripts with it
  wrk               # the benchmark (task bench) and its smoke test
  redis-server      # task e2e:gitops: Argo CD's cache (the control plane itself: task cluster:tools)
  iproute2          # task e2e:gitops: loopback up in its own network namespace
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $EUID -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "setup: missing Debian packages ${missing[*]}: install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  # Debian starts a packaged server on install; tests start their own, so keep services down.
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
fi

uv sync --frozen --quiet
if [[ -f scripts/tools.sh ]]; then
  bash scripts/tools.sh install
fi
