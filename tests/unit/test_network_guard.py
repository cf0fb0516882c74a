"""The suite's loopback-only guard (tests/plugins/network_guard.py) refuses the rest of the network."""

from __future__ import annotations

import re
import socket

import pytest

from tests.plugins import network_guard


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", b"127.0.0.1"])
def test_loopback_names_and_addresses_pass(host: str | bytes) -> None:
    assert network_guard.is_loopback(host)


@pytest.mark.parametrize("host", ["generativelanguage.googleapis.com", "db", "10.0.0.1", "::ffff:8.8.8.8", None, 3])
def test_anything_else_is_not_loopback(host: object) -> None:
    assert not network_guard.is_loopback(host)


def test_a_lookup_or_connection_beyond_loopback_is_refused_and_recorded() -> None:
    start = len(network_guard._attempts)
    with pytest.raises(network_guard.NetworkRefused, match=re.escape("lookup of 'example.com'")):
        socket.getaddrinfo("example.com", 443)
    refused = pytest.raises(OSError, match=re.escape("192.0.2.1:80"))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, refused:
        sock.connect(("192.0.2.1", 80))
    assert len(network_guard._attempts) == start + 2
    del network_guard._attempts[start:]  # recorded as it should be; this test's teardown must not fail for it


def test_loopback_still_connects() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    assert socket.getaddrinfo("localhost", 80)
