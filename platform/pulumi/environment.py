"""The program: one extra environment of the configured shape, with the outputs envctl turns into GitOps files."""

from __future__ import annotations

import config
import pulumi
from components import core
from components.dedicated import DedicatedEnvironment, DedicatedEnvironmentArgs
from components.shared_cluster import (
    SharedClusterEnvironment,
    SharedClusterEnvironmentArgs,
)
from pulumi_azure_native import authorization


def build(
    cfg: config.EnvironmentConfig,
) -> SharedClusterEnvironment | DedicatedEnvironment:
    """Create the environment described by ``cfg`` and export its outputs."""
    client = authorization.get_client_config_output()
    core_outputs = core.read(cfg.core, config.core_token())
    gemini_api_key = config.gemini_api_key()
    component: SharedClusterEnvironment | DedicatedEnvironment
    if cfg.shape == "shared-cluster":
        shared = SharedClusterEnvironmentArgs(cfg, core_outputs, gemini_api_key, client.tenant_id)
        component = SharedClusterEnvironment(f"medqa-{cfg.name}", shared)
    else:
        dedicated = DedicatedEnvironmentArgs(cfg, core_outputs, gemini_api_key, client.tenant_id)
        component = DedicatedEnvironment(f"medqa-{cfg.name}", dedicated)
    for key, value in component.exports.items():
        pulumi.export(key, value)
    return component
