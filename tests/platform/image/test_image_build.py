"""Builds the real Dockerfile with buildah on a local Debian base, runs it as its user, GETs /healthz."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "image-test.sh"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def image_tools() -> None:
    """buildah, debootstrap and curl (apt) and root: the image test cannot run without them."""
    missing = [name for name in ("buildah", "debootstrap", "curl") if shutil.which(name) is None]
    problem = (
        f"apt-get install -y {' '.join(missing)}" if missing else ("must run as root" if os.geteuid() != 0 else "")
    )
    if problem:
        if os.environ.get("MEDQA_REQUIRE_TOOLS") == "1":
            pytest.fail(f"image test cannot run: {problem}")
        pytest.skip(f"image test cannot run: {problem}")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/image-test.sh with extra environment."""
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        timeout=1500,
    )


@pytest.mark.slow
def test_image_builds_and_serves_as_non_root(image_tools: None) -> None:
    """build + smoke + readonly + size: uid 10001, GET /healthz -> 200 (demo mode, SQLite under /tmp)."""
    done = run("all", MEDQA_IMAGE_TEST_PORT=str(free_port()))
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert "uid: 10001" in done.stdout
    assert "migrate: " in done.stdout and "purge: purged 0 records" in done.stdout  # one image, three jobs
    assert "healthz: 200" in done.stdout
    assert "readonly healthz: 200" in done.stdout  # also serves with a read-only root and tmpfs /tmp
    size = re.search(r"^size: (.+)$", done.stdout, re.M)
    assert size, done.stdout
    print(f"image size: {size.group(1)}")  # shown with -s / in -rA reports


@pytest.mark.slow
def test_smoke_refuses_an_image_that_runs_as_root(image_tools: None) -> None:
    """The local base image runs as root: the uid check must fail before anything is served."""
    assert run("base").returncode == 0
    done = run("smoke", MEDQA_IMAGE="localhost/medqa-python-base:bookworm")
    assert done.returncode == 1
    assert "runs as uid 0, expected 10001" in done.stderr


@pytest.mark.slow
def test_smoke_fails_when_the_image_has_no_service(image_tools: None) -> None:
    """An image with no `medqa` (the bare base, uid check relaxed): the smoke fails at its first command."""
    assert run("base").returncode == 0
    done = run(
        "smoke",
        MEDQA_IMAGE="localhost/medqa-python-base:bookworm",
        MEDQA_EXPECTED_UID="0",
        MEDQA_IMAGE_TEST_PORT=str(free_port()),
    )
    assert done.returncode == 1
    assert "medqa migrate failed in the image" in done.stderr


@pytest.mark.slow
def test_smoke_fails_when_the_service_never_answers(image_tools: None) -> None:
    """The real image, its server refusing to start (a bad database URL): /healthz never answers, the smoke fails."""
    assert run("build").returncode == 0
    done = run("smoke", MEDQA_IMAGE_TEST_DB_URL="mysql://not-supported", MEDQA_IMAGE_TEST_PORT=str(free_port()))
    assert done.returncode == 1
    assert "GET /healthz gave '000', expected 200" in done.stderr
    assert "MEDQA_DATABASE_URL" in done.stderr  # the service's own one-line configuration error


@pytest.fixture(scope="module")
def numeric_user_base(image_tools: None) -> Iterator[str]:
    """The bare base image with USER 10001 set and no `medqa` in it."""
    assert run("base").returncode == 0
    name = "localhost/medqa-image-test-bare:10001"
    script = (
        "c=$(buildah from --pull=never localhost/medqa-python-base:bookworm)"
        f" && buildah config --user 10001:10001 $c && buildah commit --quiet --rm $c {name}"
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    yield name
    subprocess.run(["buildah", "rmi", name], capture_output=True, check=False)


@pytest.mark.slow
def test_readonly_refuses_a_non_numeric_user(image_tools: None) -> None:
    """An image without a numeric USER cannot be matched to runAsUser: the read-only run refuses it."""
    assert run("base").returncode == 0
    done = run("readonly", MEDQA_IMAGE="localhost/medqa-python-base:bookworm")
    assert done.returncode == 1 and "is not numeric" in done.stderr


@pytest.mark.slow
def test_readonly_fails_when_nothing_answers(numeric_user_base: str) -> None:
    """With a read-only root proven (the control write fails) but no service inside, the run fails."""
    done = run("readonly", MEDQA_IMAGE=numeric_user_base, MEDQA_IMAGE_TEST_PORT=str(free_port()))
    assert done.returncode == 1
    assert "read-only root: GET /healthz gave '000', expected 200" in done.stderr


def test_smoke_needs_a_built_image(image_tools: None) -> None:
    """Asking to smoke an image that does not exist fails with the command to build it."""
    done = run("smoke", MEDQA_IMAGE="localhost/medqa-no-such-image:none")
    assert done.returncode == 1 and "not built" in done.stderr


def test_unknown_command_is_a_usage_error() -> None:
    """A typo is exit 2 with the usage line, not a silent build."""
    done = run("bulid")
    assert done.returncode == 2 and "usage:" in done.stderr
