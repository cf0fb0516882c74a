#!/usr/bin/env bash
# Checks platform/terraform (issue #8): the one script tests, the Taskfile and CI call.
#
#   bash scripts/terraform-check.sh [STEP...]     STEP: fmt validate test tflint checkov arm (default: all)
#
# validate/test run in a temporary copy with `terraform init -backend=false -plugin-dir=<offline mirror>`,
# so no .terraform directory or lock file is ever written into the repository. Providers come from
# `bash scripts/tools.sh path terraform-providers`; a shared plugin cache keeps the per-root inits cheap.
# Environment: MEDQA_TF_DIR (the tree to check, default platform/terraform; platform/conventions.json
# must sit beside it), MEDQA_TF_ROOTS (space-separated roots relative to it, default every module and
# environment), MEDQA_TF_PLUGIN_DIR (overrides the mirror), TERRAFORM (the binary).
# Exits non-zero if any step fails; every failure prints one line starting with "terraform-check: FAIL".
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf_dir="$(cd "${MEDQA_TF_DIR:-$repo/platform/terraform}" && pwd)" || exit 2
terraform="${TERRAFORM:-terraform}"
tools_home="${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}"
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(fmt validate test tflint checkov arm)
failures=0

say() { printf 'terraform-check: %s\n' "$*"; }
fail() {
  say "FAIL $*"
  failures=$((failures + 1))
}
want() {
  local s
  for s in "${steps[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}
for s in "${steps[@]}"; do
  case "$s" in fmt | validate | test | tflint | checkov | arm) ;; *)
    say "FAIL unknown step '$s' (fmt validate test tflint checkov arm)"
    exit 2
    ;;
  esac
done
command -v "$terraform" >/dev/null || {
  say "FAIL terraform not found: install it (scripts/tools.toml pins the version)"
  exit 1
}

# Roots: every module and environment (a folder with .tf files directly in it).
if [[ -n "${MEDQA_TF_ROOTS:-}" ]]; then
  read -r -a roots <<<"$MEDQA_TF_ROOTS"
else
  mapfile -t roots < <(cd "$tf_dir" && for d in modules/*/ environments/*/; do
    compgen -G "$d*.tf" >/dev/null && echo "${d%/}"
  done)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# No call home (checkpoint), no prompts; the CLI config of the caller is not used.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_CLI_CONFIG_FILE="$work/terraformrc"
mkdir -p "$tools_home/terraform-plugin-cache"
printf 'plugin_cache_dir = "%s"\ndisable_checkpoint = true\n' "$tools_home/terraform-plugin-cache" >"$TF_CLI_CONFIG_FILE"

step_fmt() {
  say "fmt: terraform fmt -check -recursive"
  "$terraform" fmt -check -recursive -diff "$tf_dir" >"$work/fmt.log" 2>&1 ||
    { cat "$work/fmt.log"; fail "fmt: files above need \`terraform fmt -recursive platform/terraform\`"; }
}

copy_tree() {
  # The modules read ../conventions.json relative to platform/terraform: copy both.
  mkdir -p "$work/tree/platform"
  cp -R "$tf_dir" "$work/tree/platform/terraform"
  cp "$tf_dir/../conventions.json" "$work/tree/platform/conventions.json" 2>/dev/null ||
    { fail "conventions.json not found beside $tf_dir"; return 1; }
  # The monitoring module deploys the repository's Prometheus rule files: copy them to the same
  # relative place (observability/ beside platform/), from the checked tree or else this repository.
  local rules="$tf_dir/../../observability/prometheus/rules"
  [[ -d "$rules" ]] || rules="$repo/observability/prometheus/rules"
  mkdir -p "$work/tree/observability/prometheus"
  cp -R "$rules" "$work/tree/observability/prometheus/rules"
  find "$work/tree" \( -name .terraform -o -name .terraform.lock.hcl -o -name '*.tfstate*' \) -prune -exec rm -rf {} +
}

find_mirror() { # sets $mirror; a subshell would lose the failure count
  if [[ -n "${MEDQA_TF_PLUGIN_DIR:-}" ]]; then
    [[ -d "$MEDQA_TF_PLUGIN_DIR" ]] || { fail "MEDQA_TF_PLUGIN_DIR=$MEDQA_TF_PLUGIN_DIR is not a directory"; return 1; }
    mirror="$MEDQA_TF_PLUGIN_DIR"
    return 0
  fi
  mirror="$(bash "$repo/scripts/tools.sh" path terraform-providers 2>/dev/null)" || {
    fail "offline provider mirror missing: run \`bash scripts/tools.sh install terraform-provider-azurerm\`"
    return 1
  }
}

step_roots() { # $1: validate and/or test
  local mirror root dir log
  find_mirror || return 0
  copy_tree || return 0
  for root in "${roots[@]}"; do
    dir="$work/tree/platform/terraform/$root"
    log="$work/$(echo "$root" | tr / _).log"
    [[ -d "$dir" ]] || { fail "$root: no such root"; continue; }
    if ! (cd "$dir" && "$terraform" init -backend=false -plugin-dir="$mirror" -no-color >"$log" 2>&1); then
      cat "$log"
      fail "$root: terraform init (offline mirror $mirror)"
      continue
    fi
    if [[ " $* " == *" validate "* ]]; then
      if (cd "$dir" && "$terraform" validate -no-color >"$log" 2>&1); then
        say "validate: $root ok"
      else
        cat "$log"
        fail "$root: terraform validate"
      fi
    fi
    if [[ " $* " == *" test "* ]]; then
      if ! compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
        fail "$root: no tests/*.tftest.hcl (every module and environment has plan-only tests)"
      elif (cd "$dir" && "$terraform" test -no-color >"$log" 2>&1); then
        say "test: $root $(grep -E '^Success!' "$log" | sed 's/Success! //')"
      else
        cat "$log"
        fail "$root: terraform test"
      fi
    fi
  done
}

step_tflint() {
  local tflint config ruleset root
  tflint="$(bash "$repo/scripts/tools.sh" path tflint 2>/dev/null)" ||
    { fail "tflint missing: run \`bash scripts/tools.sh install tflint\`"; return 0; }
  config="$tf_dir/.tflint.hcl"
  if ruleset="$(bash "$repo/scripts/tools.sh" path tflint-ruleset-azurerm 2>/dev/null)"; then
    # The azurerm ruleset is installed: lint with it too (plugin_dir must hold the plugin binary).
    export TFLINT_PLUGIN_DIR="$(dirname "$ruleset")"
    cat "$config" - >"$work/tflint.hcl" <<'EOF'
plugin "azurerm" {
  enabled = true
}
EOF
    config="$work/tflint.hcl"
  else
    say "tflint: NOTE the azurerm ruleset is not in the toolchain (scripts/tools.toml: missing); linting with the terraform ruleset only"
  fi
  for root in "${roots[@]}"; do
    if (cd "$tf_dir/$root" && "$tflint" --config="$config" --no-color --format=compact >"$work/tflint.log" 2>&1); then
      say "tflint: $root ok"
    else
      cat "$work/tflint.log"
      fail "$root: tflint"
    fi
  done
}

step_checkov() {
  say "checkov: terraform and arm frameworks (offline)"
  if bash "$repo/scripts/checkov.sh" --directory "$tf_dir" --framework terraform arm \
    --compact --quiet >"$work/checkov.log" 2>&1; then
    say "checkov: ok ($(grep -c -E '^(terraform|arm) scan results' "$work/checkov.log") frameworks scanned)"
  else
    grep -v -E '\[WARNI\]|^\s*$' "$work/checkov.log"
    fail "checkov: failed checks above (fix them, or skip inline with a justification)"
  fi
}

step_arm() {
  say "arm: bootstrap template and parameters"
  if python3 - "$tf_dir/bootstrap" >"$work/arm.log" 2>&1 <<'EOF'; then
"""Structural check of an ARM template and its parameters file (checkov checks the security rules)."""
import json, re, sys
from pathlib import Path

folder = Path(sys.argv[1])
template = json.loads((folder / "azuredeploy.json").read_text())
values = json.loads((folder / "azuredeploy.parameters.json").read_text())["parameters"]
errors = []
if not template.get("$schema", "").endswith("/deploymentTemplate.json#"):
    errors.append("$schema is not a deploymentTemplate schema")
if not re.fullmatch(r"\d+(\.\d+){3}", template.get("contentVersion", "")):
    errors.append("contentVersion must look like 1.0.0.0")
declared = template.get("parameters", {})
for i, res in enumerate(template.get("resources", [])):
    for key in ("type", "apiVersion", "name"):
        if key not in res:
            errors.append(f"resource {i} has no {key}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", res.get("apiVersion", "")):
        errors.append(f"resource {i} apiVersion {res.get('apiVersion')!r} is not a date")
used = set(re.findall(r"parameters\('([^']+)'\)", json.dumps(template)))
errors += [f"parameters('{p}') is used but not declared" for p in sorted(used - declared.keys())]
errors += [f"parameter file sets undeclared {p!r}" for p in sorted(values.keys() - declared.keys())]
for name, spec in declared.items():
    if "defaultValue" not in spec and name not in values:
        errors.append(f"parameter {name!r} has no default and no value")
    allowed = spec.get("allowedValues")
    if allowed and name in values and values[name]["value"] not in allowed:
        errors.append(f"parameter {name!r} value is not in allowedValues")
if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"{len(template['resources'])} resources, {len(declared)} parameters: valid")
EOF
    say "arm: $(tail -n 1 "$work/arm.log")"
  else
    cat "$work/arm.log"
    fail "arm: bootstrap/azuredeploy.json or its parameters file is not valid"
  fi
}

want fmt && step_fmt
if want validate && want test; then
  step_roots validate test
elif want validate; then
  step_roots validate
elif want test; then
  step_roots test
fi
want tflint && step_tflint
want checkov && step_checkov
want arm && step_arm

if ((failures > 0)); then
  say "FAILED: $failures problem(s)"
  exit 1
fi
say "all checks passed (${steps[*]})"
