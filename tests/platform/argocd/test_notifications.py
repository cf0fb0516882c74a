"""The notifications ConfigMap defines what every subscription names, and the subscriptions exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.platform.argocd.model import Doc, every_application, of_kind

SUBSCRIPTION = re.compile(r"^notifications\.argoproj\.io/subscribe\.([a-z0-9-]+)\.([a-z0-9-]+)$")


def notifications(tree: list[tuple[Path, Doc]]) -> dict[str, str]:
    """The data of argocd-notifications-cm."""
    (cm,) = of_kind(tree, "ConfigMap")
    data: dict[str, str] = cm["data"]
    return data


def all_applications(tree: list[tuple[Path, Doc]]) -> list[Doc]:
    """Committed Applications plus the ones every ApplicationSet generates for the long-lived environments."""
    return every_application(tree)


def test_every_application_subscribes_on_call_to_failures_and_degradation(tree: list[tuple[Path, Doc]]) -> None:
    """Root, add-ons and every environment notify on-call when a sync fails or health degrades."""
    for app in all_applications(tree):
        subs = {m.groups() for k in app["metadata"].get("annotations", {}) if (m := SUBSCRIPTION.match(k)) is not None}
        assert {("on-sync-failed", "oncall"), ("on-health-degraded", "oncall")} <= subs, app["metadata"]["name"]


def test_subscriptions_name_defined_triggers_and_services(tree: list[tuple[Path, Doc]]) -> None:
    """Each subscribed trigger and service is defined, and each trigger sends a defined template."""
    data = notifications(tree)
    for app in all_applications(tree):
        for key in app["metadata"].get("annotations", {}):
            match = SUBSCRIPTION.match(key)
            if match:
                trigger, service = match.groups()
                assert f"trigger.{trigger}" in data, trigger
                assert f"service.webhook.{service}" in data, service
    for key, value in data.items():
        if key.startswith("trigger."):
            for rule in yaml.safe_load(value):
                assert rule["when"], key
                for template in rule["send"]:
                    assert f"template.{template}" in data, (key, template)


def test_webhook_url_is_a_secret_reference_not_a_literal(tree: list[tuple[Path, Doc]]) -> None:
    """The on-call URL comes from argocd-notifications-secret ($key), never from Git."""
    service = yaml.safe_load(notifications(tree)["service.webhook.oncall"])
    assert service["url"].startswith("$"), service["url"]


def test_templates_post_to_the_oncall_webhook(tree: list[tuple[Path, Doc]]) -> None:
    """Every template has a POST body for the oncall webhook."""
    data = notifications(tree)
    templates = [k for k in data if k.startswith("template.")]
    assert templates
    for key in templates:
        hook = yaml.safe_load(data[key])["webhook"]["oncall"]
        assert hook["method"] == "POST" and "{{.app.metadata.name}}" in hook["body"], key
