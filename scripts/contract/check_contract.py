"""`task check:contract`: render every layer and report each name one layer consumes that the one before does not make.

    python3 scripts/contract/check_contract.py [--env dev] [--repo PATH]

Prints one `contract: <env> <KEY>: <consumer> uses ..., but <producer> makes ...` line per mismatch and exits 1
when there is any; 0 and a summary line when every layer agrees. docs/platform-contract.md names the keys.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import contract_checks as checks
import contract_layers as layers
import contract_placeholders as placeholders
import contract_rendered as rendered
from contract_checks import Mismatch
from contract_layers import LayerError, TerraformPlan

REPO = Path(__file__).resolve().parents[2]


def public_routes(repo: Path) -> list[str]:
    """The app's public route templates, from its own route table (the Ingress must route exactly these)."""
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from app.asgi import public_routes as routes

    return sorted(routes())


def run(
    repo: Path,
    environments: Iterable[str] = layers.ENVIRONMENTS,
    plans: Mapping[str, TerraformPlan] | None = None,
    *,
    pulumi: bool = True,
) -> list[Mismatch]:
    """Every mismatch between the layers, for each environment; plans may be given to skip Terraform.

    With `pulumi`, dev also renders Pulumi's example stacks against the dev plan (about ten seconds).
    """
    routes = public_routes(repo)
    argocd = layers.argocd_objects(repo)
    listed = placeholders.read_registry(repo)
    found: list[Mismatch] = []
    for env in environments:
        plan = plans[env] if plans and env in plans else layers.plan_terraform(repo, env)
        overlay = layers.render_overlay(repo, env)
        wiring_file = f"gitops/kustomize/overlays/{env}/platform.env"
        apply_time = {e.key for e in listed if e.file == wiring_file}
        found += checks.check_wiring(env, overlay, plan, apply_time)
        found += checks.check_placeholders(env, overlay, plan, listed)
        found += checks.check_terraform_resources(env, plan, routes)
        found += rendered.check_rendered(env, overlay)
        found += rendered.check_app_config(env, overlay, routes)
        found += checks.check_argocd(env, overlay, argocd)
        if env == "dev" and pulumi:
            found += checks.check_pulumi(plan, layers.pulumi_render(repo, pulumi_core(plan)), argocd)
    return found


def pulumi_core(plan: TerraformPlan) -> dict[str, object]:
    """The dev root's outputs as Pulumi would read them after apply; apply-time values get well-formed stand-ins."""
    guid = "00000000-0000-0000-0000-000000000000"

    def stand_in(name: str) -> str:
        if name.endswith(("client_id", "principal_id", "tenant_id")) or name == "frontdoor_id":
            return guid
        if name.endswith("_id"):
            return f"/subscriptions/{guid}/resourceGroups/rg-medqa-dev-weu/providers/Stand.In/{name}"
        if name.endswith("_ip"):
            return "192.0.2.10"  # TEST-NET-1: documentation only
        if name.endswith("_url"):
            return f"https://{name.replace('_', '-')}.invalid/"
        return f"apply-time-{name}"

    # Outputs read from a resource attribute are unknown at plan; Terraform's postconditions hold them equal to
    # these wiring values at apply, so Pulumi sees the same.
    wiring, _ = plan.wiring()
    same_as = {"postgres_fqdn": "POSTGRES_HOST", "acr_login_server": "ACR_LOGIN_SERVER", "tenant_id": "TENANT_ID"}
    known = {name: wiring[key] for name, key in same_as.items() if key in wiring}
    return {
        name: value if value is not None else known.get(name) or stand_in(name) for name, value in plan.outputs.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Run the contract check and print what disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", choices=layers.ENVIRONMENTS, help="environment (default: all)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the repository tree to check")
    args = parser.parse_args(argv)
    environments = args.env or list(layers.ENVIRONMENTS)
    try:
        found = run(args.repo.resolve(), environments)
    except (LayerError, placeholders.PlaceholderError) as error:
        print(f"contract: cannot read a layer: {error}", file=sys.stderr)
        return 2
    for mismatch in found:
        print(f"contract: {mismatch}")
    if found:
        print(f"contract: {len(found)} mismatch(es) in {', '.join(environments)}")
        return 1
    print(f"contract: every layer agrees in {', '.join(environments)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
