#!/usr/bin/env bash
# Renders every Kustomize overlay and validates it the way a cluster would (issue #6).
#
#   scripts/gitops-validate.sh                                 every overlay: render + every check + policy tests
#   scripts/gitops-validate.sh check OUT_DIR [OVERLAY_DIR...]  render into OUT_DIR + every tool check
#   scripts/gitops-validate.sh render OUT_DIR [OVERLAY_DIR...] render into OUT_DIR only (<overlay>.yaml)
#
# OVERLAY_DIR defaults to every directory under gitops/kustomize/overlays/. Checks, per rendered overlay:
#   kubeconform -strict against Kubernetes ${K8S_VERSION} core schemas and our CRD schemas (no missing schema
#   is tolerated), kubernetes-validate --strict, checkov (kubernetes framework, skips only inline with a
#   reason), kube-score (warnings fail; ignores only inline, `kube-score/ignore` with a reason annotation
#   `kube-score.medqa.io/<check>`), kube-linter when obtainable. Every check runs; the script exits 1 if any failed.
# Tools come from scripts/tools.sh (pinned, offline); the Python ones from the uv `checks` group.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K8S_VERSION="1.34.0" # the Kubernetes minor AKS runs (scripts/tools.toml [target])
KUSTOMIZE_ROOT="${REPO}/gitops/kustomize"
failed=()

say() { printf '%s\n' "$*"; }
step() { # step NAME COMMAND...: run a check, print PASS/FAIL with its output on failure
  local name="$1" out rc
  shift
  out="$("$@" 2>&1)"
  rc=$?
  if ((rc == 0)); then
    # The tool's own last line (a summary such as "Valid: 45, Invalid: 0") shows what was checked.
    say "PASS ${name}${out:+: $(printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | tail -1)}"
  else
    say "FAIL ${name}"
    printf '%s\n' "$out" | sed 's/^/    /'
    failed+=("$name")
  fi
  return 0
}

tool_path() { bash "${REPO}/scripts/tools.sh" path "$1" 2>/dev/null; }

overlays() { # the overlay directories given, or all of them
  if (($# > 0)); then
    printf '%s\n' "$@"
  else
    find "${KUSTOMIZE_ROOT}/overlays" -mindepth 1 -maxdepth 1 -type d | sort
  fi
}

render_one() { # render_one OVERLAY OUT_FILE
  local kustomize
  if kustomize="$(tool_path kustomize)"; then
    "$kustomize" build "$1" >"$2"
  else
    kubectl kustomize "$1" >"$2"
  fi
}

render() { # render OUT_DIR OVERLAY...
  local out="$1" dir
  shift
  mkdir -p "$out"
  while IFS= read -r dir; do
    [[ -f "${dir}/kustomization.yaml" ]] || { say "FAIL render $(basename "$dir"): no kustomization.yaml"; failed+=("render"); continue; }
    step "render $(basename "$dir")" render_one "$dir" "${out}/$(basename "$dir").yaml"
  done < <(overlays "$@")
}

kubeconform_check() { # kubeconform_check FILE...
  local bin core crd
  bin="$(tool_path kubeconform)" || { echo "kubeconform missing: bash scripts/tools.sh install kubeconform"; return 1; }
  core="$(tool_path k8s-schemas)" || { echo "k8s-schemas missing: bash scripts/tools.sh install k8s-schemas"; return 1; }
  crd="$(tool_path crd-schemas)" || { echo "crd-schemas missing: bash scripts/tools.sh install crd-schemas"; return 1; }
  "$bin" -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "${core}/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "${crd}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" "$@"
}

kubernetes_validate_check() { # strict core schemas; it has no CRD schemas (its "no schema" warning is muted: kubeconform covers CRDs)
  (cd "$REPO" && uv run --frozen kubernetes-validate --strict --quiet --no-warn -k "$K8S_VERSION" "$@")
}

checkov_check() { # checkov_check DIR: every check, offline; skips only inline (checkov.io/skipN annotations)
  if [[ -f "${REPO}/scripts/checkov.sh" ]]; then # the toolchain's wrapper with every call home switched off
    bash "${REPO}/scripts/checkov.sh" -d "$1" --framework kubernetes --quiet --compact
  else
    (cd "$REPO" && BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
      uv run --frozen checkov -d "$1" --framework kubernetes --skip-download --quiet --compact)
  fi
}

kube_score_check() { # kube_score_check FILE...: every default check; a warning fails like a critical finding
  local bin
  bin="$(tool_path kube-score)" || { echo "kube-score missing: bash scripts/tools.sh install kube-score"; return 1; }
  "$bin" score --kubernetes-version "v${K8S_VERSION%.*}" --output-format ci --exit-one-on-warning "$@" |
    grep -v -e '^\[OK\]' -e '^\[SKIPPED\]'
  # The exit status is kube-score's, not grep's (which fails when every line was OK).
  return "${PIPESTATUS[0]}"
}

check() { # check OUT_DIR OVERLAY...
  local out="$1" files=() kube_linter
  render "$@"
  mapfile -t files < <(find "$out" -maxdepth 1 -name '*.yaml' -size +0 | sort)
  ((${#files[@]} > 0)) || { say "FAIL nothing rendered"; return 1; }
  step "kubeconform (Kubernetes ${K8S_VERSION} + CRD schemas, strict)" kubeconform_check "${files[@]}"
  step "kubernetes-validate --strict (${K8S_VERSION})" kubernetes_validate_check "${files[@]}"
  step "checkov (kubernetes)" checkov_check "$out"
  step "kube-score" kube_score_check "${files[@]}"
  if kube_linter="$(tool_path kube-linter)"; then
    step "kube-linter" "$kube_linter" lint "${files[@]}"
  else
    say "NOTE kube-linter not run: $(bash "${REPO}/scripts/tools.sh" path kube-linter 2>&1 | sed 's/^tools.sh: //')"
  fi
}

finish() {
  if ((${#failed[@]} > 0)); then
    say "gitops-validate: ${#failed[@]} check(s) failed: ${failed[*]}"
    exit 1
  fi
  say "gitops-validate: all checks passed"
}

case "${1:-}" in
  render)
    [[ $# -ge 2 ]] || { say "usage: $0 render OUT_DIR [OVERLAY_DIR...]"; exit 2; }
    shift
    render "$@"
    finish
    ;;
  check)
    [[ $# -ge 2 ]] || { say "usage: $0 check OUT_DIR [OVERLAY_DIR...]"; exit 2; }
    shift
    check "$@"
    finish
    ;;
  -h | --help)
    sed -n '2,12p' "$0"
    ;;
  "")
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    check "$out"
    # The policy tests read the very files just checked.
    step "policy tests (tests/platform/gitops)" \
      env MEDQA_GITOPS_RENDERED="$out" uv run --frozen pytest -q -p no:cacheprovider \
      "${REPO}/tests/platform/gitops/test_policy.py"
    finish
    ;;
  *)
    say "usage: $0 [render|check OUT_DIR [OVERLAY_DIR...]]  (no argument: every overlay, every check)"
    exit 2
    ;;
esac
