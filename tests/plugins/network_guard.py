"""No test may reach anything but loopback: name lookups and connections elsewhere fail, and fail the test.

Inside the pytest process, `socket.getaddrinfo` answers only for loopback names and addresses, and a socket
connects only to a loopback address or a Unix socket. Anything else raises `NetworkRefused` (an OSError, so
code under test takes its usual error path) and the test that tried fails at teardown, naming the target.
Servers a test starts as subprocesses are not covered here; they are given loopback addresses only.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_attempts: list[str] = []
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkRefused(OSError):
    """A test tried to reach something other than loopback."""


def is_loopback(host: object) -> bool:
    """Whether `host` (a name, an address string or bytes) is loopback."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%")[0].lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refuse(target: str) -> NetworkRefused:
    _attempts.append(target)
    return NetworkRefused(f"tests reach loopback only; refused {target}")


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not is_loopback(host):
        raise _refuse(f"lookup of {host!r}")
    return _real_getaddrinfo(host, port, *args, **kwargs)


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
        raise _refuse(f"connection to {address[0]}:{address[1]}")


def _connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.getaddrinfo = _real_getaddrinfo
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """Fail the test that tried to reach beyond loopback, even when the code under test swallowed the error."""
    start = len(_attempts)
    yield
    tried = _attempts[start:]
    if tried:
        pytest.fail(f"this test tried to reach beyond loopback: {', '.join(sorted(set(tried)))}", pytrace=False)
