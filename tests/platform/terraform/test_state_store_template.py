"""The ARM template of the Terraform state store keeps its security properties."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.platform.terraform.conftest import TF_DIR

BOOTSTRAP = TF_DIR / "bootstrap"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """The parsed azuredeploy.json."""
    return json.loads((BOOTSTRAP / "azuredeploy.json").read_text())


def resource(template: dict[str, Any], kind: str) -> dict[str, Any]:
    """The one resource of the given type."""
    (found,) = [r for r in template["resources"] if r["type"] == kind]
    return found


def test_storage_account_is_locked_down(template: dict[str, Any]) -> None:
    props = resource(template, "Microsoft.Storage/storageAccounts")["properties"]
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["allowBlobPublicAccess"] is False
    assert props["allowSharedKeyAccess"] is False, "the azurerm backend uses Entra ID (use_azuread_auth)"
    assert props["defaultToOAuthAuthentication"] is True
    assert props["networkAcls"]["defaultAction"] == "Deny"


def test_blobs_are_versioned_and_soft_deleted(template: dict[str, Any]) -> None:
    props = resource(template, "Microsoft.Storage/storageAccounts/blobServices")["properties"]
    assert props["isVersioningEnabled"] is True
    assert props["deleteRetentionPolicy"]["enabled"] is True
    assert props["containerDeleteRetentionPolicy"]["enabled"] is True


def test_container_is_private_and_account_is_locked(template: dict[str, Any]) -> None:
    container = resource(template, "Microsoft.Storage/storageAccounts/blobServices/containers")
    assert container["properties"]["publicAccess"] == "None"
    lock = resource(template, "Microsoft.Authorization/locks")
    assert lock["properties"]["level"] == "CanNotDelete"


def test_only_zone_redundant_replication_is_allowed(template: dict[str, Any]) -> None:
    allowed = template["parameters"]["skuName"]["allowedValues"]
    assert "Standard_LRS" not in allowed
    assert template["parameters"]["skuName"]["defaultValue"] in allowed


def test_environments_point_their_backend_at_the_template_defaults(template: dict[str, Any]) -> None:
    account = template["parameters"]["storageAccountName"]["defaultValue"]
    container = template["parameters"]["containerName"]["defaultValue"]
    for env in ("dev", "prod"):
        text = (TF_DIR / "environments" / env / "terraform.tf").read_text()
        assert f'storage_account_name = "{account}"' in text
        assert f'container_name       = "{container}"' in text
        assert "use_azuread_auth     = true" in text
        assert f'key                  = "medqa-{env}.tfstate"' in text


def test_every_skip_is_justified(template: dict[str, Any]) -> None:
    for res in template["resources"]:
        for skip in res.get("metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "")) > 30, f"{skip['id']} is skipped without a justification"
