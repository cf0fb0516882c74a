"""`task check:contract`: every name one layer consumes is made by the layer before it (issue #17, #20).

The first test checks the real tree. Each planted test breaks one name in a copy, as a hurried change would,
and shows that the check names the key, the consumer and the producer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import contract
import layers
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


PLANTED = [
    Plant(
        "gitops/kustomize/overlays/dev/platform.env",
        "KEY_VAULT_URL=https://kvmedqadevweu.vault.azure.net/",
        "KEY_VAULT_URL=https://kvmedqadev.vault.azure.net/",
        "dev",
        "KEY_VAULT_URL",
        "dev/platform.env",
    ),
    Plant(
        "gitops/kustomize/overlays/staging/platform.env",
        "POSTGRES_SUBNET_CIDR=10.40.8.0/27",
        "POSTGRES_SUBNET_CIDR=10.20.8.0/27",
        "staging",
        "POSTGRES_SUBNET_CIDR",
        "staging/platform.env",
    ),
    Plant(
        "gitops/kustomize/overlays/prod/config.env",
        "@psql-medqa-prod-weu.postgres.database.azure.com",
        "@psql-medqa-prod.postgres.database.azure.com",
        "prod",
        "POSTGRES_HOST",
        "MEDQA_DATABASE_URL host",
    ),
    Plant(
        "gitops/argocd/projects/medqa.yaml",
        "namespace: medqa-*",
        "namespace: medqa-preview-*",
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
    found = contract.run(copy, [plant.env], plans)
    named = [m for m in found if m.key == plant.key and plant.consumer in m.consumer]
    assert named, f"no mismatch names {plant.key} in {plant.consumer}; found: {[str(m) for m in found]}"
    assert plant.env in str(named[0]) and plant.key in str(named[0])
