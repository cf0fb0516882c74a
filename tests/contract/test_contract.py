"""`task check:contract`: every name one layer consumes is made by the layer before it (issue #17, #20).

The first test checks the real tree. Each planted test breaks one name in a copy, as a hurried change would,
and shows that the check names the key, the consumer and the producer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import check_contract as contract
import contract_layers as layers
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("env", layers.ENVIRONMENTS)
def test_every_layer_agrees(env: str, plans: dict[str, layers.TerraformPlan]) -> None:
    found = contract.run(REPO, [env], plans)
    assert not found, "the layers disagree:\n" + "\n".join(str(m) for m in found)


class Plant(NamedTuple):
    """One broken name: where, what text becomes what, and what the check must then say."""

    path: str
    old: str
    new: str
    env: str
    key: str
    consumer: str


OVERLAYS = "gitops/kustomize/overlays"
PLANTED = [
    # Names a hurried edit of one environment's wiring gets wrong: Terraform makes the value, the overlay disagrees.
    Plant(
        f"{OVERLAYS}/dev/platform.env",
        "kvmedqadevweu.vault",
        "kvmedqadev.vault",
        "dev",
        "KEY_VAULT_URL",
        "dev/platform.env",
    ),
    Plant(
        f"{OVERLAYS}/staging/platform.env",
        "_CIDR=10.40.8.0/27",
        "_CIDR=10.20.8.0/27",
        "staging",
        "POSTGRES_SUBNET_CIDR",
        "platform.env",
    ),
    Plant(
        f"{OVERLAYS}/prod/platform.env",
        "=gemini-api-key",
        "=gemini-key",
        "prod",
        "GEMINI_SECRET_NAME",
        "prod/platform.env",
    ),
    Plant(
        f"{OVERLAYS}/dev/platform.env",
        "INGRESS_CLASS=nginx",
        "INGRESS_CLASS=webapprouting",
        "dev",
        "INGRESS_CLASS",
        "platform.env",
    ),
    Plant(
        f"{OVERLAYS}/dev/platform.env",
        "TLS_SECRET=medqa-tls",
        "TLS_SECRET=medqa-cert",
        "dev",
        "TLS_SECRET",
        "platform.env",
    ),
    Plant(
        f"{OVERLAYS}/staging/platform.env",
        "PUBLIC_HOST=staging.medqa.example.com",
        "PUBLIC_HOST=staging.medqa.example.org",
        "staging",
        "PUBLIC_HOST",
        "platform.env",
    ),
    # The app's settings disagree with the wiring.
    Plant(
        f"{OVERLAYS}/prod/config.env",
        "@psql-medqa-prod-weu.",
        "@psql-medqa-prod.",
        "prod",
        "POSTGRES_HOST",
        "MEDQA_DATABASE_URL host",
    ),
    Plant(
        f"{OVERLAYS}/dev/config.env",
        ":5432/medqa?",
        ":5432/medqa_dev?",
        "dev",
        "POSTGRES_DATABASE",
        "MEDQA_DATABASE_URL database",
    ),
    Plant(
        f"{OVERLAYS}/dev/config.env",
        "PROXIES=192.168.0.0/16",
        "PROXIES=10.244.0.0/16",
        "dev",
        "POD_CIDR",
        "MEDQA_TRUSTED_PROXIES",
    ),
    # A rendered object no longer uses the wiring.
    Plant(
        f"{OVERLAYS}/dev/kustomization.yaml",
        "name: crmedqasharedweu.azurecr.io/medqa",
        "name: crmedqasharedweu.azurecr.io/medqa\n    newName: crmedqaprodweu.azurecr.io/medqa",
        "dev",
        "ACR_LOGIN_SERVER",
        "image",
    ),
    Plant(
        "gitops/kustomize/base/deployment.yaml",
        "serviceAccountName: medqa",
        "serviceAccountName: medqa-api",
        "dev",
        "SERVICE_ACCOUNT",
        "Deployment/medqa serviceAccountName",
    ),
    Plant(
        "gitops/kustomize/base/ingress.yaml",
        "- path: /conversations",
        "- path: /conversation",
        "staging",
        "ROUTES",
        "Ingress paths",
    ),
    # The migration Job's identity: the wiring, its account and its login disagree with Terraform's.
    Plant(
        f"{OVERLAYS}/dev/platform.env",
        "MIGRATE_POSTGRES_USER=id-medqa-dev-weu-migrate",
        "MIGRATE_POSTGRES_USER=id-medqa-dev-weu",
        "dev",
        "MIGRATE_POSTGRES_USER",
        "dev/platform.env",
    ),
    Plant(
        f"{OVERLAYS}/staging/platform.env",
        "MIGRATE_SERVICE_ACCOUNT=medqa-migrate",
        "MIGRATE_SERVICE_ACCOUNT=medqa",
        "staging",
        "MIGRATE_SERVICE_ACCOUNT",
        "platform.env",
    ),
    Plant(
        "gitops/kustomize/base/job.yaml",
        "serviceAccountName: medqa-migrate",
        "serviceAccountName: medqa",
        "dev",
        "MIGRATE_SERVICE_ACCOUNT",
        "Job/medqa-migrate serviceAccountName",
    ),
    Plant(
        "gitops/kustomize/components/wiring/kustomization.yaml",
        "fieldPath: data.MIGRATE_POSTGRES_USER",
        "fieldPath: data.POSTGRES_USER",
        "prod",
        "MIGRATE_POSTGRES_USER",
        "env MEDQA_DATABASE_MIGRATE_USER",
    ),
    Plant(
        "gitops/kustomize/components/wiring/kustomization.yaml",
        "      fieldPath: data.POSTGRES_USER\n",
        "      fieldPath: data.MIGRATE_POSTGRES_USER\n",
        "staging",
        "POSTGRES_USER",
        "env MEDQA_DATABASE_APP_ROLE",
    ),
    # Argo CD no longer selects the environment, or no longer admits the namespace the overlay deploys to.
    Plant(
        "gitops/argocd/applicationsets/medqa.yaml",
        "          operator: In\n              values: [dev, staging, prod]",
        "          operator: In\n              values: [dev, prod]",
        "staging",
        "ENVIRONMENT",
        "ApplicationSet medqa",
    ),
    Plant(
        "gitops/argocd/projects/medqa.yaml",
        "- name: dev\n      namespace: medqa\n",
        "- name: dev\n      namespace: medqa-app\n",
        "dev",
        "NAMESPACE",
        "projects/medqa.yaml",
    ),
]


@pytest.mark.parametrize("plant", PLANTED, ids=[p.key for p in PLANTED])
def test_a_planted_mismatch_is_named(
    plant: Plant,
    plans: dict[str, layers.TerraformPlan],
    broken_copy: Callable[[str, str, str], Path],
) -> None:
    copy = broken_copy(plant.path, plant.old, plant.new)
    found = contract.run(copy, [plant.env], plans, pulumi=False)
    named = [m for m in found if m.key == plant.key and plant.consumer in m.consumer]
    assert named, f"no mismatch names {plant.key} in {plant.consumer}; found: {[str(m) for m in found]}"
    assert plant.env in str(named[0]) and plant.key in str(named[0])


def test_a_client_id_the_component_takes_from_the_wrong_key_is_named(
    plans: dict[str, layers.TerraformPlan], broken_copy: Callable[[str, str, str], Path]
) -> None:
    # After `task deploy:wire` the ids are real; a replacement that copies the tenant id instead is caught.
    wiring = f"{OVERLAYS}/dev/platform.env"
    broken_copy(
        wiring,
        "\nWORKLOAD_IDENTITY_CLIENT_ID=00000000-0000-0000-0000-000000000000",
        f"\nWORKLOAD_IDENTITY_CLIENT_ID={CLIENT}",
    )
    copy = broken_copy(
        "gitops/kustomize/components/wiring/kustomization.yaml",
        "fieldPath: data.WORKLOAD_IDENTITY_CLIENT_ID",
        "fieldPath: data.TENANT_ID",
    )
    found = contract.run(copy, ["dev"], plans, pulumi=False)
    assert any(
        m.key == "WORKLOAD_IDENTITY_CLIENT_ID" and "ServiceAccount/medqa annotation" in m.consumer for m in found
    ), found


CLIENT = "6f1c2d1e-4a55-4a0e-9d0b-2b7f5a9a1c11"


def test_a_migrate_client_id_taken_from_the_services_key_is_named(
    plans: dict[str, layers.TerraformPlan], broken_copy: Callable[[str, str, str], Path]
) -> None:
    # The migration Job would get the service's identity: the one that must not administer PostgreSQL.
    broken_copy(
        f"{OVERLAYS}/prod/platform.env",
        "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID=00000000-0000-0000-0000-000000000000",
        f"MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID={CLIENT}",
    )
    copy = broken_copy(
        "gitops/kustomize/components/wiring/kustomization.yaml",
        "fieldPath: data.MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID",
        "fieldPath: data.WORKLOAD_IDENTITY_CLIENT_ID",
    )
    found = contract.run(copy, ["prod"], plans, pulumi=False)
    assert any(
        m.key == "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID" and "ServiceAccount/medqa-migrate annotation" in m.consumer
        for m in found
    ), [str(m) for m in found]


def test_the_service_identity_as_postgres_administrator_is_named(
    plans: dict[str, layers.TerraformPlan], terraform_copy: Callable[[str, str, str], Path]
) -> None:
    # The old state: Terraform makes the service's identity the Entra administrator instead of the migrate one.
    copy = terraform_copy(
        "platform/terraform/modules/platform/main.tf",
        'object_id      = module.identity.identities["migrate"].principal_id\n'
        "      principal_name = local.identities.migrate.name",
        'object_id      = module.identity.identities["app"].principal_id\n'
        "      principal_name = local.identities.app.name",
    )
    broken = layers.plan_terraform(copy, "dev")
    found = contract.run(REPO, ["dev"], {**plans, "dev": broken}, pulumi=False)
    keys = {m.key for m in found if "active_directory_administrator" in m.consumer}
    assert keys == {"POSTGRES_USER", "MIGRATE_POSTGRES_USER"}, [str(m) for m in found]


def test_a_front_door_origin_asking_for_the_wrong_host_is_named(
    plans: dict[str, layers.TerraformPlan], terraform_copy: Callable[[str, str, str], Path]
) -> None:
    # Terraform's resources against its own wiring output: Front Door would ask for a host the ingress does not serve.
    copy = terraform_copy(
        "platform/terraform/modules/edge/main.tf",
        "origin_host_header             = local.public_host",
        "origin_host_header             = local.origin_host",
    )
    broken = layers.plan_terraform(copy, "dev")
    found = contract.run(REPO, ["dev"], {**plans, "dev": broken}, pulumi=False)
    named = [m for m in found if m.key == "PUBLIC_HOST" and "origin_host_header" in m.consumer]
    assert named, [str(m) for m in found]


def test_a_migrate_key_pulumi_does_not_write_is_named(
    plans: dict[str, layers.TerraformPlan], broken_copy: Callable[[str, str, str], Path]
) -> None:
    copy = broken_copy("platform/pulumi/wiring.py", '    "MIGRATE_POSTGRES_USER",\n', "")
    found = contract.run(copy, ["dev"], plans)
    named = [m for m in found if m.key == "MIGRATE_POSTGRES_USER" and m.consumer.startswith("pulumi ")]
    assert {m.environment for m in named} == {"perf", "pr-123"}, [str(m) for m in found]


def test_a_terraform_output_pulumi_reads_and_nobody_makes_is_named(
    plans: dict[str, layers.TerraformPlan], broken_copy: Callable[[str, str, str], Path]
) -> None:
    copy = broken_copy("platform/pulumi/components/core.py", "    pod_cidr: str\n", "    aks_pod_cidr: str\n")
    found = contract.run(copy, ["dev"], plans)
    assert any(m.key == "aks_pod_cidr" and "components/core.py" in m.consumer for m in found), [str(m) for m in found]
