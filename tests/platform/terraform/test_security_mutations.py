"""The plan-only tests really assert the security properties: weakening one makes `terraform test` fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.platform.terraform.conftest import replace_in, run_check

# (root, file, secure text, weakened text): each mutation breaks one property the issue lists.
MUTATIONS = [
    ("modules/acr", "main.tf", "admin_enabled          = false", "admin_enabled          = true"),
    ("modules/aks", "main.tf", "local_account_disabled            = true", "local_account_disabled            = false"),
    (
        "modules/postgres",
        "main.tf",
        "public_network_access_enabled = false",
        "public_network_access_enabled = true",
    ),
    ("modules/postgres", "locals.tf", '"TLSv1.2"', '"TLSv1"'),
    ("modules/keyvault", "main.tf", "public_network_access_enabled = false", "public_network_access_enabled = true"),
    ("modules/edge", "variables.tf", 'default     = "Prevention"', 'default     = "Detection"'),
    (
        "modules/postgres",
        "main.tf",
        'mode                      = "ZoneRedundant"',
        'mode                      = "SameZone"',
    ),
    (
        "modules/jumphost",
        "main.tf",
        "disable_password_authentication = true",
        "disable_password_authentication = false",
    ),
    # Issue #20: the WAF cannot be bypassed, one registry, one host name, token login, FQDN policies.
    ("modules/network", "locals.tf", 'source = "AzureFrontDoor.Backend"', 'source = "Internet"'),
    (
        "modules/edge",
        "main.tf",
        "origin_host_header             = local.public_host",
        "origin_host_header             = local.origin_host",
    ),
    (
        "modules/registry_access",
        "main.tf",
        'role_definition_name             = "AcrPull"',
        'role_definition_name             = "Contributor"',
    ),
    ("modules/postgres", "main.tf", 'principal_type      = "ServicePrincipal"', 'principal_type      = "User"'),
    ("modules/identity", "locals.tf", "${identity.namespace}:${sa}", "${identity.namespace}:default"),
    ("modules/aks", "main.tf", "security_enabled      = true", "security_enabled      = false"),
    (
        "environments/dev",
        "../../modules/platform/locals.tf",
        'TLS_SECRET                  = "medqa-tls"',
        'TLS_SECRET                  = "tls"',
    ),
    ("environments/prod", "main.tf", "private_endpoint_enabled = true", "private_endpoint_enabled = false"),
    # The workflow's apply identities may not grant Owner-level roles; Kyverno only reads the registry.
    ("environments/shared", "main.workflow.tf", "condition = local.no_privileged_roles", "condition = null"),
    ("modules/platform", "main.shared.tf", 'role_definition_name = "AcrPull"', 'role_definition_name = "AcrPush"'),
    ("modules/platform", "locals.tf", '["kyverno-admission-controller"]', '["kyverno-admission-controller", "x"]'),
]


@pytest.mark.slow
@pytest.mark.parametrize("mutation", MUTATIONS, ids=[f"{m[0]}:{m[3]}" for m in MUTATIONS])
def test_weakening_a_property_fails_the_module_tests(
    tree_copy: Path, providers: Path, mutation: tuple[str, str, str, str]
) -> None:
    root, file, secure, weak = mutation
    replace_in(tree_copy / root / file, secure, weak)
    result = run_check("test", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS=root)
    assert result.returncode == 1, result.stdout
    assert f"terraform-check: FAIL {root}: terraform test" in result.stdout
