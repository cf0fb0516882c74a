"""A real PostgreSQL for tests: MEDQA_TEST_DATABASE_URL, else testcontainers, else a throwaway local cluster.

The local cluster is started from the machine's PostgreSQL binaries (Debian's postgresql package), on
127.0.0.1 and a free port, in a temporary directory; as root it runs as the `postgres` user, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_USER = "medqa"
PG_PASSWORD = "medqa-test-only"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bindir() -> Path | None:
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


class LocalCluster:
    """A PostgreSQL cluster in a temporary directory, owned by an unprivileged user when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="medqa-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        """initdb, start on 127.0.0.1:port, create the test role and database."""
        pwfile = self.root / "pw"
        pwfile.write_text(PG_PASSWORD)
        if self.as_user:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", PG_USER, f"--pwfile={pwfile}",
                  "-A", "scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-l", str(self.root / "log"), "start"
        )
        self.create_database("medqa")

    def create_database(self, name: str) -> str:
        """Create a database owned by the test role and return its URL."""
        env = {**os.environ, "PGPASSWORD": PG_PASSWORD}
        subprocess.run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, name],
                       check=True, capture_output=True, env=env)  # fmt: skip
        return self.url(name)

    def url(self, database: str = "medqa") -> str:
        """The connection URL of a database in this cluster."""
        return f"postgres://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server (fast) and keep the data directory."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Start the server again on the same port and data."""
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-l", str(self.root / "log"), "start"
        )

    def destroy(self) -> None:
        """Stop if running and delete everything."""
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def _docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:  # noqa: BLE001 (no daemon, no socket, no permission: all mean "no")
        return False
    return True


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[LocalCluster | None]:
    """The local throwaway cluster when one is used (None when the URL comes from elsewhere)."""
    if os.environ.get("MEDQA_TEST_DATABASE_URL") or _docker_available():
        yield None
        return
    bindir = _bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found: install Debian's `postgresql` package (bash .ci/run does)")
    cluster = LocalCluster(bindir)
    try:
        cluster.start()
    except subprocess.CalledProcessError as exc:
        cluster.destroy()
        pytest.fail(f"could not start a local PostgreSQL: {exc.stderr}")
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: LocalCluster | None) -> Iterator[str]:
    """URL of a real, empty-at-start PostgreSQL database for this test session."""
    if url := os.environ.get("MEDQA_TEST_DATABASE_URL"):
        yield url
        return
    if postgres_cluster is not None:
        yield postgres_cluster.url()
        return
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver=None) as container:
        yield container.get_connection_url()


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")
