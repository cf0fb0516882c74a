#!/usr/bin/env bash
# Installs the pinned argo-cd chart and the root Application (argocd-apps chart) into an AKS cluster,
# and seeds the cluster registration Secret once: External Secrets Operator, which keeps that Secret
# equal to Key Vault afterwards, is itself an add-on configured from it. Everything else comes from Git.
# Called by the argocd_bootstrap module's terraform_data; needs az (logged in), kubelogin, helm and kubectl
# on PATH (`az aks install-cli` gives the last two), and network access to the API server (authorized IP
# range, or the jump host for a private cluster).
set -euo pipefail

for tool in az kubelogin helm kubectl; do
  command -v "$tool" >/dev/null || { echo "argocd_bootstrap: $tool is not on PATH" >&2; exit 1; }
done
for var in CLUSTER_NAME RESOURCE_GROUP NAMESPACE CHART_REPOSITORY ARGOCD_CHART_VERSION ARGOCD_APPS_CHART_VERSION ARGOCD_VALUES APPS_VALUES REGISTRATION_MANIFEST; do
  [[ -n "${!var:-}" ]] || { echo "argocd_bootstrap: $var is not set" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KUBECONFIG="$work/kubeconfig"

# Local accounts are disabled: fetch the Entra ID kubeconfig and let kubelogin use the az login.
az aks get-credentials --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" --file "$KUBECONFIG" --only-show-errors
kubelogin convert-kubeconfig --login azurecli

printf '%s' "$ARGOCD_VALUES" >"$work/argocd.json"
printf '%s' "$APPS_VALUES" >"$work/apps.json"
printf '%s' "$REGISTRATION_MANIFEST" >"$work/registration.json"

helm upgrade --install argocd argo-cd --repo "$CHART_REPOSITORY" --version "$ARGOCD_CHART_VERSION" \
  --namespace "$NAMESPACE" --create-namespace --values "$work/argocd.json" --wait --timeout 10m
# Before the root Application, so the first generation of the ApplicationSets already sees the cluster.
# Never overwritten: once External Secrets Operator runs, Key Vault is the source of this Secret.
# (A failing get stops the script here instead of reading as "absent".)
existing="$(kubectl get secret cluster-registration --namespace "$NAMESPACE" --ignore-not-found --output name)"
if [[ -z "$existing" ]]; then
  kubectl create --filename "$work/registration.json"
  echo "argocd_bootstrap: seeded the cluster registration Secret in $NAMESPACE"
else
  echo "argocd_bootstrap: the cluster registration Secret exists; External Secrets Operator keeps it"
fi
helm upgrade --install argocd-root argocd-apps --repo "$CHART_REPOSITORY" --version "$ARGOCD_APPS_CHART_VERSION" \
  --namespace "$NAMESPACE" --values "$work/apps.json" --wait --timeout 5m
echo "argocd_bootstrap: Argo CD $ARGOCD_CHART_VERSION and the root Application are installed in $CLUSTER_NAME"
