#!/usr/bin/env bash
# checkov with every call home switched off (issue #5); arguments pass through to checkov.
# Proven offline by tests/platform/toolchain/test_checkov_offline.py; see scripts/README.md.
set -euo pipefail
src="${BASH_SOURCE[0]}"
[[ "$src" == */* ]] && repo="$(cd "${src%/*}/.." && pwd)" || repo="$(cd .. && pwd)"
checkov="$repo/.venv/bin/checkov"
[[ -x "$checkov" ]] || checkov="$(command -v checkov || true)"
if [[ -z "$checkov" ]]; then
  echo "checkov.sh: checkov is not installed: run \`uv sync\` (uv group checks)" >&2
  exit 127
fi
# No guideline/severity mapping download from the vendor platform (same as --skip-download).
export BC_SKIP_MAPPING=TRUE
# No PyPI "newer version" lookup when the banner prints.
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
# No platform login, policy download or result upload: those only happen with an API key.
unset BC_API_KEY PRISMA_API_URL
# --skip-download: no policy metadata from the platform;
# --download-external-modules false: never fetch Terraform modules from git or the registry.
exec "$checkov" --skip-download --download-external-modules false "$@"
