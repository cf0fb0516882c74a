"""The rate limit keys on the real client: X-Forwarded-For believed from the pod CIDR (the ingress pods)."""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings
from tests.unit.apps import client

INGRESS_POD = "192.168.17.4"  # inside the cluster's pod CIDR, as ingress-nginx is


def ask(test_client: object, forwarded_for: str) -> int:
    response = test_client.post(  # type: ignore[attr-defined]
        "/ask", json={"question": "What is a fever?"}, headers={"X-Forwarded-For": forwarded_for}
    )
    return int(response.status_code)


def test_the_cluster_value_parses() -> None:
    assert Settings.from_env({"MEDQA_TRUSTED_PROXIES": "192.168.0.0/16"}).trusted_proxies == ("192.168.0.0/16",)


def test_each_client_behind_the_ingress_has_its_own_bucket(tmp_path: Path) -> None:
    settings = Settings.from_env({"MEDQA_TRUSTED_PROXIES": "192.168.0.0/16", "MEDQA_RATE_LIMIT": "2/minute"})
    with client(tmp_path, settings, peer=INGRESS_POD) as test_client:
        # Front Door appends the client, ingress-nginx appends Front Door's edge: the client is the last
        # address that is not a trusted proxy.
        assert [ask(test_client, "203.0.113.9, 192.168.3.3") for _ in range(3)] == [200, 200, 429]
        assert ask(test_client, "198.51.100.4") == 200
        assert ask(test_client, "10.1.1.1, 203.0.113.9") == 429  # a spoofed first hop changes nothing


def test_without_trusted_proxies_every_client_shares_the_ingress_bucket(tmp_path: Path) -> None:
    settings = Settings.from_env({"MEDQA_RATE_LIMIT": "2/minute"})
    with client(tmp_path, settings, peer=INGRESS_POD) as test_client:
        assert [ask(test_client, "203.0.113.9") for _ in range(2)] == [200, 200]
        assert ask(test_client, "198.51.100.4") == 429
