"""scripts/release.py changes only the target overlay's digest, and the overlay still renders and validates."""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.platform.release.conftest import (
    DIGEST_A,
    DIGEST_B,
    PLACEHOLDER,
    REPO,
    Run,
    overlay,
    snapshot,
)

ENVS = ("dev", "staging", "prod")


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Relative paths whose bytes differ (or that appeared or vanished)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def changed_lines(before: bytes, after: bytes) -> list[str]:
    """The removed and added lines of a unified diff."""
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def rendered_images(kustomize: Path, root: Path, env: str) -> set[str]:
    """Every container image the rendered overlay runs."""
    done = subprocess.run(
        [str(kustomize), "build", str(overlay(root, env).parent)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    images: set[str] = set()
    for doc in yaml.safe_load_all(done.stdout):
        spec = (doc or {}).get("spec", {})
        pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
        images |= {c["image"] for c in pod.get("containers", []) + pod.get("initContainers", [])}
    return images


@pytest.mark.parametrize("env", ENVS)
def test_bump_changes_only_the_target_digest_line(root: Path, release: Run, env: str) -> None:
    """One line of one file changes: the digest; comments and every other overlay are untouched."""
    before = snapshot(root)
    done = release("bump", "--env", env, "--digest", DIGEST_A)
    assert done.returncode == 0, done.stderr
    after = snapshot(root)
    target = f"gitops/kustomize/overlays/{env}/kustomization.yaml"
    assert changed_files(before, after) == [target]
    lines = changed_lines(before[target], after[target])
    assert len(lines) == 2 and lines[0].strip().startswith("-") and lines[1].strip().endswith(DIGEST_A), lines
    assert f"{env}: pinned {DIGEST_A}" in done.stdout


def test_bumped_overlay_renders_with_the_digest_everywhere(
    root: Path, release: Run, tool: Callable[[str], Path]
) -> None:
    """After a bump every workload of dev (Deployment, Job, CronJob) runs image@digest, and nothing else."""
    kustomize = tool("kustomize")
    assert release("bump", "--env", "dev", "--digest", DIGEST_A).returncode == 0
    images = rendered_images(kustomize, root, "dev")
    assert images and all(i.endswith(f"/medqa@{DIGEST_A}") for i in images), images
    assert all(PLACEHOLDER in i for i in rendered_images(kustomize, root, "prod"))


@pytest.mark.slow
def test_bumped_overlay_passes_the_gitops_validation(root: Path, release: Run, tool: Callable[[str], Path]) -> None:
    """The bumped overlay passes scripts/gitops-validate.sh (kubeconform, kubernetes-validate, checkov)."""
    for name in ("kubeconform", "kustomize", "k8s-schemas", "crd-schemas", "kube-score"):
        tool(name)
    assert release("bump", "--env", "dev", "--digest", DIGEST_A).returncode == 0
    out = root / "rendered"
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "gitops-validate.sh"), "check", str(out), str(overlay(root, "dev").parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert DIGEST_A in (out / "dev.yaml").read_text()


def test_promotion_moves_the_digest_one_step_at_a_time(root: Path, release: Run) -> None:
    """dev -> staging -> prod copies exactly the digest, one overlay per step."""
    assert release("bump", "--env", "dev", "--digest", DIGEST_B).returncode == 0
    for source, target in (("dev", "staging"), ("staging", "prod")):
        before = snapshot(root)
        done = release("promote", "--from", source, "--to", target)
        assert done.returncode == 0, done.stderr
        assert changed_files(before, snapshot(root)) == [f"gitops/kustomize/overlays/{target}/kustomization.yaml"]
        assert release("show", "--env", target).stdout.strip() == DIGEST_B


def test_bump_twice_is_a_no_op(root: Path, release: Run) -> None:
    """Pinning the digest that is already pinned writes nothing and says so."""
    assert release("bump", "--env", "dev", "--digest", DIGEST_A).returncode == 0
    before = snapshot(root)
    done = release("bump", "--env", "dev", "--digest", DIGEST_A)
    assert done.returncode == 0 and "already pins" in done.stdout
    assert snapshot(root) == before


def test_show_prints_the_pinned_digest(root: Path, release: Run) -> None:
    """`show` prints the digest only, for a workflow to capture."""
    assert release("show", "--env", "prod").stdout == PLACEHOLDER + "\n"


def test_a_tag_in_the_entry_is_replaced_by_the_digest(root: Path, release: Run) -> None:
    """An entry that carries newTag loses it: overlays pin a digest, never a tag."""
    path = overlay(root, "prod")
    path.write_text(path.read_text().replace(f"digest: {PLACEHOLDER}", "newTag: v1.2.3"))
    assert release("bump", "--env", "prod", "--digest", DIGEST_A).returncode == 0
    (entry,) = yaml.safe_load(path.read_text())["images"]
    assert entry == {"name": "crmedqasharedweu.azurecr.io/medqa", "digest": DIGEST_A}
    assert "# Written by the release/promote pipeline" in path.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bump", "--env", "dev", "--digest", "v1.2.3"), "not an image digest"),
        (("bump", "--env", "dev", "--digest", "latest"), "not an image digest"),
        (("bump", "--env", "dev", "--digest", "sha256:" + "A" * 64), "not an image digest"),
        (("bump", "--env", "dev", "--digest", "sha256:abc"), "not an image digest"),
        (("bump", "--env", "dev", "--digest", PLACEHOLDER), "placeholder"),
        (("bump", "--env", "qa", "--digest", DIGEST_A), "no overlay for environment 'qa'"),
        (("show", "--env", "nowhere"), "no overlay"),
        (("promote", "--from", "dev", "--to", "prod"), "cannot promote dev -> prod"),
        (("promote", "--from", "prod", "--to", "staging"), "cannot promote prod -> staging"),
        (("promote", "--from", "dev", "--to", "dev"), "cannot promote dev -> dev"),
        (("promote", "--from", "qa", "--to", "staging"), "unknown environment 'qa'"),
        (("promote", "--from", "dev", "--to", "staging"), "placeholder digest"),
        (("--image", "other.azurecr.io/app", "show", "--env", "dev"), "expected one images: entry"),
    ],
)
def test_refusals_change_nothing(root: Path, release: Run, args: tuple[str, ...], message: str) -> None:
    """Every refusal exits 1 with a message and leaves the tree byte for byte as it was."""
    before = snapshot(root)
    done = release(*args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert message in done.stderr
    assert snapshot(root) == before


def test_overlay_without_the_service_image_is_refused(root: Path, release: Run) -> None:
    """An overlay whose images: entry is missing (or renamed) is refused, not silently extended."""
    path = overlay(root, "staging")
    path.write_text(path.read_text().replace("azurecr.io/medqa", "azurecr.io/other"))
    done = release("bump", "--env", "staging", "--digest", DIGEST_A)
    assert done.returncode == 1 and "expected one images: entry" in done.stderr


def test_an_edit_that_would_touch_more_than_the_digest_is_refused(root: Path, release: Run) -> None:
    """A digest line the text edit cannot handle cleanly (a YAML anchor) is caught before anything is written."""
    path = overlay(root, "dev")
    path.write_text(path.read_text().replace(f"digest: {PLACEHOLDER}", f"digest: &pin {PLACEHOLDER}"))
    before = path.read_bytes()
    done = release("bump", "--env", "dev", "--digest", DIGEST_A)
    assert done.returncode == 1 and "more than the image digest" in done.stderr, done.stdout + done.stderr
    assert path.read_bytes() == before


def test_flow_style_entry_is_refused(root: Path, release: Run) -> None:
    """An images: entry written in flow style is refused rather than edited blindly."""
    path = overlay(root, "dev")
    text = path.read_text().replace(
        f"  - name: crmedqasharedweu.azurecr.io/medqa\n    digest: {PLACEHOLDER}",
        f"  - {{name: crmedqasharedweu.azurecr.io/medqa, digest: '{PLACEHOLDER}'}}",
    )
    assert "{name:" in text
    path.write_text(text)
    done = release("bump", "--env", "dev", "--digest", DIGEST_A)
    assert done.returncode == 1 and "no images: item named" in done.stderr, done.stdout + done.stderr


def test_usage_error_exits_2(release: Run) -> None:
    """A missing subcommand or argument is a usage error."""
    assert release().returncode == 2
    assert release("bump", "--env", "dev").returncode == 2
