"""The inventories name what Terraform really creates: resource group, VM, tags, Key Vault, Bastion range."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
import yaml

from tests.platform.ansible import terraform_facts as tf
from tests.platform.ansible.runner import ANSIBLE_DIR


def inventory(environment: str, relative: str) -> Any:
    """One YAML file of ansible/inventories/<env>."""
    path = ANSIBLE_DIR / "inventories" / environment / relative
    assert path.is_file(), f"{path.relative_to(ANSIBLE_DIR)} is missing"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_long_lived_environment_has_an_inventory() -> None:
    """dev, staging and prod each have one, and nothing else does (issue #20 item 6: staging was missing)."""
    found = sorted(p.name for p in (ANSIBLE_DIR / "inventories").iterdir() if p.is_dir())
    assert found == sorted(tf.ENVIRONMENTS)


def test_the_subnet_arithmetic_reproduces_the_contract() -> None:
    """Self-check: the locals.tf reading gives the contract's dev PostgreSQL subnet, 10.20.8.0/27."""
    assert tf.subnet_prefix("snet-postgres", "10.20.0.0/20") == "10.20.8.0/27"
    assert tf.subnet_prefix("AzureBastionSubnet", "10.20.0.0/20") == "10.20.8.128/26"


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_bastion_range_is_terraforms_azure_bastion_subnet(environment: str) -> None:
    """nftables admits SSH from exactly the AzureBastionSubnet Terraform carves: any other range locks SSH out."""
    expected = tf.subnet_prefix("AzureBastionSubnet", tf.address_space(environment))
    subnets = inventory(environment, "group_vars/jump_hosts.yml")["jump_host_bastion_subnets"]
    assert subnets == [expected], f"{environment}: Terraform's AzureBastionSubnet is {expected}, not {subnets}"
    assert ipaddress.ip_network(expected).subnet_of(ipaddress.ip_network(tf.address_space(environment)))


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_dynamic_inventory_reads_terraforms_resource_group_and_tags(environment: str) -> None:
    """azure_rm looks in rg-medqa-<env>-<region> for VMs tagged medqa-role=jump-host, port from the tag."""
    config = inventory(environment, "azure_rm.yml")
    group = tf.name("resource_group", environment, tf.location(environment))
    assert config["include_vm_resource_groups"] == [group]
    assert config["include_host_filters"] == ["powerstate == 'running' and tags.get('medqa-role', '') == 'jump-host'"]
    assert config["hostvar_expressions"]["ansible_port"].startswith("tags.get('medqa-bastion-tunnel-port',")


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_static_inventory_names_terraforms_vm(environment: str) -> None:
    """The fallback inventory's host is the VM name modules/naming gives the jump host."""
    hosts = inventory(environment, "static.yml")["all"]["children"]["jump_hosts"]["hosts"]
    assert list(hosts) == [tf.name("virtual_machine", environment, tf.location(environment))]
    (host,) = hosts.values()
    assert host["ansible_host"] == "127.0.0.1"


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_grafana_token_comes_from_terraforms_key_vault(environment: str) -> None:
    """The token lookup reads the environment's Key Vault kv<workload><env><region>, the name Terraform gives it."""
    token = inventory(environment, "group_vars/all/grafana.yml")["grafana_dashboards_token"]
    (vault_url,) = re.findall(r"vault_url='([^']+)'", token)
    vault = tf.name("key_vault", environment, tf.location(environment))
    assert vault_url == f"https://{vault}.vault.azure.net"
    assert "'grafana-dashboards-token'" in token


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_grafana_endpoint_is_the_named_placeholder_of_terraforms_grafana(environment: str) -> None:
    """A placeholder host for the Managed Grafana Terraform names (output grafana_endpoint), never a made-up one."""
    path = ANSIBLE_DIR / "inventories" / environment / "group_vars" / "all" / "grafana.yml"
    url = inventory(environment, "group_vars/all/grafana.yml")["grafana_dashboards_url"]
    # modules/naming's managed_grafana abbreviation (engineer TF-B adds it to the convention as "amg").
    abbreviation = tf.convention()["abbreviations"].get("managed_grafana", "amg")
    region = tf.convention()["regions"][tf.location(environment)]
    prefix = f"https://{abbreviation}-{tf.convention()['workload']}-{environment}-{region}-"
    assert url.startswith(prefix) and url.endswith(".grafana.azure.com"), url
    assert "PLACEHOLDER" in url
    assert "Terraform output `grafana_endpoint`" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("environment", tf.ENVIRONMENTS)
def test_environment_variable_matches_the_folder(environment: str) -> None:
    """group_vars say which environment they belong to."""
    assert inventory(environment, "group_vars/all/main.yml")["medqa_environment"] == environment


def test_terraform_roots_use_the_contract_address_spaces() -> None:
    """Each environment root that exists uses the address space the contract fixes (the inventories rely on it)."""
    spaces = tf.contract_address_spaces()
    assert sorted(spaces) == sorted(tf.ENVIRONMENTS)
    roots = [p.name for p in (tf.TERRAFORM / "environments").iterdir() if p.name in spaces]
    assert {"dev", "prod"} <= set(roots)
    for environment in roots:
        assert tf.tfvars(environment)["address_space"] == spaces[environment], environment


def test_a_wrong_range_is_caught() -> None:
    """The old dev range 10.20.1.0/26 is not Terraform's AzureBastionSubnet (the lock-out of issue #20 item 7)."""
    assert tf.subnet_prefix("AzureBastionSubnet", tf.address_space("dev")) != "10.20.1.0/26"
    with pytest.raises(AssertionError, match="no single cidrsubnet"):
        tf.subnet_prefix("snet-nonexistent", "10.20.0.0/20")
