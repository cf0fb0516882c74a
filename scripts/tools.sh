#!/usr/bin/env bash
# Pinned platform toolchain (issues #5, #13): install [NAME... | --group GROUP] | path NAME | list.
# The manifest is scripts/tools.toml; the cache is ${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}.
# The logic lives in scripts/tools/toolchain.py (standard-library Python 3.11+, no venv needed).
set -euo pipefail
src="${BASH_SOURCE[0]}"
[[ "$src" == */* ]] && here="$(cd "${src%/*}" && pwd)" || here="$PWD"  # no dirname: PATH may be bare
exec python3 "$here/tools/toolchain.py" "$@"
