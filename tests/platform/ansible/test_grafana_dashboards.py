"""Contract test of the grafana_dashboards role against the fake Grafana API (fake_grafana.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.platform.ansible.fake_grafana import FakeGrafana
from tests.platform.ansible.runner import REPO, PlaybookRun

TOKEN = "glsa_test_token"
Runner = Callable[..., PlaybookRun]


def dashboard(uid: str, title: str, **extra: Any) -> dict[str, Any]:
    """Build a minimal dashboard as the observability folder keeps them."""
    return {"uid": uid, "title": title, "schemaVersion": 39, "panels": [], "tags": ["medqa"], **extra}


def git(repo: Path, *args: str) -> str:
    """Run git in the temporary dashboards repository."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


def write(repo: Path, *dashboards: dict[str, Any]) -> str:
    """Write dashboards as <uid>.json, commit them, and return the short commit."""
    for item in dashboards:
        (repo / f"{item['uid']}.json").write_text(json.dumps(item, indent=2))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "dashboards")
    return git(repo, "rev-parse", "--short=12", "HEAD")


@pytest.fixture
def grafana() -> Iterator[FakeGrafana]:
    """Run the fake Grafana on a free loopback port."""
    with FakeGrafana(TOKEN) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A Git repository holding two dashboards."""
    path = tmp_path / "dashboards"
    path.mkdir()
    git(path, "init", "-q")
    write(path, dashboard("medqa-api", "MedQA / API"), dashboard("medqa-db", "MedQA / Database"))
    return path


@pytest.fixture
def push(playbook: Runner, grafana: FakeGrafana, repo: Path) -> Callable[..., PlaybookRun]:
    """Run playbooks/grafana_dashboards.yml against the fake, with overridable variables."""

    def run(**overrides: Any) -> PlaybookRun:
        variables = {
            "grafana_dashboards_url": grafana.url,
            "grafana_dashboards_token": TOKEN,
            "grafana_dashboards_source_dir": str(repo),
            "ansible_python_interpreter": sys.executable,
            **overrides,
        }
        return playbook("grafana_dashboards.yml", "localhost,", variables)

    return run


def test_first_run_creates_folder_and_dashboards_with_git_note(push: Any, grafana: FakeGrafana, repo: Path) -> None:
    """The dashboards arrive in the folder, read-only, tagged and noted as Git's, with the commit as message."""
    commit = git(repo, "rev-parse", "--short=12", "HEAD")
    run = push()
    assert run.returncode == 0, run.output
    assert run.changed("localhost") == 2  # the folder task and the save task (two items)
    assert len(grafana.state.writes()) == 3
    assert grafana.state.folders["medqa"]["title"] == "MedQA"
    assert sorted(grafana.state.dashboards) == ["medqa-api", "medqa-db"]
    saved = grafana.state.dashboards["medqa-api"]
    assert saved.folder_uid == "medqa"
    assert saved.dashboard["editable"] is False
    assert "managed-by-git" in saved.dashboard["tags"]
    assert "Managed by Git (observability/grafana-dashboards/medqa-api.json)" in saved.dashboard["description"]
    assert saved.messages == [f"git {commit}: observability/grafana-dashboards/medqa-api.json"]


def test_second_run_changes_nothing(push: Any, grafana: FakeGrafana) -> None:
    """Idempotency: a second run only reads (no POST or DELETE) and reports changed=0."""
    assert push().returncode == 0
    writes_after_first = len(grafana.state.writes())
    second = push(grafana_dashboards_prune=True)
    assert second.returncode == 0, second.output
    assert second.changed("localhost") == 0
    assert len(grafana.state.writes()) == writes_after_first


def test_changed_file_is_saved_as_new_version(push: Any, grafana: FakeGrafana, repo: Path) -> None:
    """A dashboard changed in Git becomes the next version, with the new commit in its message."""
    assert push().returncode == 0
    commit = write(repo, dashboard("medqa-api", "MedQA / API", refresh="30s"))
    run = push()
    assert run.returncode == 0, run.output
    assert run.changed("localhost") == 1
    saved = grafana.state.dashboards["medqa-api"]
    assert (saved.dashboard["version"], saved.dashboard["refresh"]) == (2, "30s")
    assert saved.messages[-1].startswith(f"git {commit}:")


def test_ui_edit_is_reverted_to_git(push: Any, grafana: FakeGrafana) -> None:
    """A dashboard edited in the UI (or moved to another folder) is put back as Git has it."""
    assert push().returncode == 0
    saved = grafana.state.dashboards["medqa-db"]
    saved.dashboard |= {"title": "edited by hand", "version": saved.dashboard["version"] + 1}
    saved.folder_uid = ""
    run = push()
    assert run.returncode == 0, run.output
    assert run.changed("localhost") == 1
    assert grafana.state.dashboards["medqa-db"].dashboard["title"] == "MedQA / Database"
    assert grafana.state.dashboards["medqa-db"].folder_uid == "medqa"


def test_removed_dashboard_is_deleted_only_when_asked(push: Any, grafana: FakeGrafana, repo: Path) -> None:
    """Pruning deletes what left Git from our folder only; without it nothing is deleted."""
    assert push().returncode == 0
    grafana.state.folders["other"] = {"id": 99, "uid": "other", "title": "Other", "url": "", "version": 1}
    grafana.state.dashboards["someone-elses"] = type(grafana.state.dashboards["medqa-db"])(
        {"uid": "someone-elses", "title": "Theirs", "id": 98, "version": 1}, "other"
    )
    (repo / "medqa-db.json").unlink()
    write(repo)
    kept = push()
    assert kept.returncode == 0 and kept.changed("localhost") == 0, kept.output
    assert "medqa-db" in grafana.state.dashboards
    pruned = push(grafana_dashboards_prune=True)
    assert pruned.returncode == 0, pruned.output
    assert pruned.changed("localhost") == 1
    assert sorted(grafana.state.dashboards) == ["medqa-api", "someone-elses"]
    assert ("DELETE", "/api/dashboards/uid/medqa-db") in grafana.state.requests


def test_concurrent_ui_save_fails_with_version_mismatch(push: Any, grafana: FakeGrafana, repo: Path) -> None:
    """If someone saves between our read and our write, Grafana's 412 stops the run; their version stays."""
    assert push().returncode == 0
    write(repo, dashboard("medqa-api", "MedQA / API", refresh="1m"))
    grafana.state.bump_after_read.add("medqa-api")
    run = push()
    assert run.returncode != 0
    assert "412" in run.output and "version-mismatch" in run.output
    assert grafana.state.dashboards["medqa-api"].messages[-1] == "edited in the UI"


def test_same_title_in_folder_fails_with_name_exists(push: Any, grafana: FakeGrafana, repo: Path) -> None:
    """A second dashboard with an existing title in the folder is refused (412 name-exists)."""
    assert push().returncode == 0
    write(repo, dashboard("medqa-api-copy", "MedQA / API"))
    run = push()
    assert run.returncode != 0
    assert "name-exists" in run.output
    assert "medqa-api-copy" not in grafana.state.dashboards


def test_wrong_token_fails_with_401(push: Any, grafana: FakeGrafana) -> None:
    """A bad token fails on the first call and writes nothing."""
    run = push(grafana_dashboards_token="wrong")
    assert run.returncode != 0
    assert "401" in run.output
    assert grafana.state.writes() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "medqa-bad.json: not valid JSON"),
        (json.dumps(dashboard("other-uid", "MedQA / Bad")), "uid must equal the file name"),
        (json.dumps({"uid": "medqa-bad"}), "the dashboard has no title"),
        ("[]", "a dashboard must be a JSON object"),
    ],
)
def test_invalid_dashboard_file_fails_before_any_write(
    push: Any, grafana: FakeGrafana, repo: Path, content: str, message: str
) -> None:
    """A file that is not a proper dashboard stops the run before Grafana is touched."""
    (repo / "medqa-bad.json").write_text(content)
    run = push()
    assert run.returncode != 0
    assert message in run.output
    assert grafana.state.requests == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grafana_dashboards_url": ""}, "grafana_dashboards_url and grafana_dashboards_token must be set"),
        ({"grafana_dashboards_token": ""}, "grafana_dashboards_url and grafana_dashboards_token must be set"),
        ({"grafana_dashboards_source_dir": "/nonexistent/dashboards"}, "No dashboard folder at /nonexistent"),
        (
            {"grafana_dashboards_url": "https://amg-medqa-dev-weu-PLACEHOLDER.weu.grafana.azure.com"},
            "grafana_dashboards_url is still the placeholder; set it from Terraform output grafana_endpoint",
        ),
    ],
)
def test_missing_inputs_fail_clearly(push: Any, grafana: FakeGrafana, overrides: dict[str, str], message: str) -> None:
    """Missing URL, token or source folder, or the placeholder URL, fail with a message naming the input."""
    run = push(**overrides)
    assert run.returncode != 0
    assert message in run.output
    assert grafana.state.requests == []


def test_source_outside_git_needs_an_explicit_commit(push: Any, grafana: FakeGrafana, tmp_path: Path) -> None:
    """Without a Git repository the commit must be given; with it, the message carries that commit."""
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "medqa-api.json").write_text(json.dumps(dashboard("medqa-api", "MedQA / API")))
    failed = push(grafana_dashboards_source_dir=str(plain))
    assert failed.returncode != 0 and "rev-parse" in failed.output
    run = push(grafana_dashboards_source_dir=str(plain), grafana_dashboards_git_commit="0123abcd")
    assert run.returncode == 0, run.output
    assert grafana.state.dashboards["medqa-api"].messages == [
        "git 0123abcd: observability/grafana-dashboards/medqa-api.json"
    ]


def test_repository_dashboards_pass_the_role(push: Any, grafana: FakeGrafana) -> None:
    """The real observability/grafana-dashboards/*.json are accepted and pushed, idempotently."""
    source = REPO / "observability" / "grafana-dashboards"
    files = sorted(source.glob("*.json"))
    assert files, f"no dashboards in {source}"
    first = push(grafana_dashboards_source_dir=str(source))
    assert first.returncode == 0, first.output
    assert sorted(grafana.state.dashboards) == sorted(path.stem for path in files)
    second = push(grafana_dashboards_source_dir=str(source))
    assert second.returncode == 0 and second.changed("localhost") == 0, second.output
