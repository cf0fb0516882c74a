"""A real run of the jump_host role against a throwaway Debian root filesystem, through the chroot connection.

The root filesystem comes from debootstrap (rootfs.sh, cached outside the repo) and is copied fresh for this
module; /usr/sbin/policy-rc.d stops package scripts from starting services. The role's packages are
installed by apt from the Debian mirror (pre-downloaded into the cache). Operator tools are served from
127.0.0.1: helm is the real binary that scripts/tools.sh builds; kubectl, kubelogin and argocd are
stand-ins (standin/main.go) that print their tool's version output, packaged as the upstream releases are.
The tests run in file order: the failure cases at the end leave the converged host as they found it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
import yaml

from tests.platform.ansible.runner import ANSIBLE_DIR, PlaybookRun, run_playbook

pytestmark = [pytest.mark.slow]

HERE = Path(__file__).parent
DEFAULTS = yaml.safe_load((ANSIBLE_DIR / "roles/jump_host/defaults/main.yml").read_text())
TOOLS_HOME = Path(os.environ.get("MEDQA_TOOLS_HOME", Path.home() / ".cache/medqa-tools"))
HOST = "jump-test"
BASTION = "10.20.1.0/26"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_standin(tool: str, version: str) -> Path:
    """Build (once, into the tool cache) the stand-in binary for a tool and version."""
    target = TOOLS_HOME / "ansible-standins" / f"{tool}-{version}"
    source = HERE / "standin" / "main.go"
    stamp = target.parent / f"{target.name}.source-sha256"
    if not target.exists() or not stamp.exists() or stamp.read_text() != sha256(source):
        go = shutil.which("go")
        assert go, "Go is needed to build the tool stand-ins"
        target.parent.mkdir(parents=True, exist_ok=True)
        ldflags = f"-s -w -X main.tool={tool} -X main.version={version}"
        env = {**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": ""}
        subprocess.run([go, "build", "-ldflags", ldflags, "-o", str(target), str(source)], check=True, env=env)
        stamp.write_text(sha256(source))
    return target


def add_to_tar(archive: Path, member: str, binary: Path) -> None:
    """Write a .tar.gz holding one executable at member, as Helm's release tarballs do."""
    with tarfile.open(archive, "w:gz") as tar:
        info = tar.gettarinfo(str(binary), arcname=member)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "", ""
        with binary.open("rb") as handle:
            tar.addfile(info, handle)


def add_to_zip(archive: Path, member: str, binary: Path) -> None:
    """Write a .zip holding one executable at member, as kubelogin's release zips do."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        info = zipfile.ZipInfo(member)
        info.external_attr = 0o755 << 16
        zipped.writestr(info, binary.read_bytes())


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory, tool: Callable[[str], Path]) -> Iterator[dict[str, Any]]:
    """Serve the tool release files on 127.0.0.1 and return the role variables that point at them."""
    root = tmp_path_factory.mktemp("artefacts")
    version = {name: DEFAULTS[f"jump_host_{name}_version"] for name in ("kubectl", "kubelogin", "helm", "argocd")}
    (root / "kubectl").write_bytes(build_standin("kubectl", version["kubectl"]).read_bytes())
    (root / "kubectl.sha256").write_text(sha256(root / "kubectl") + "\n")
    add_to_zip(
        root / "kubelogin-linux-amd64.zip",
        "bin/linux_amd64/kubelogin",
        build_standin("kubelogin", version["kubelogin"]),
    )
    helm_tarball = root / f"helm-v{version['helm']}-linux-amd64.tar.gz"
    add_to_tar(helm_tarball, "linux-amd64/helm", tool("helm"))
    (root / "argocd-linux-amd64").write_bytes(build_standin("argocd", version["argocd"]).read_bytes())
    # Served under another version's URL, for the failure cases: a wrong binary and a wrong checksum.
    (root / "wrong").mkdir()
    (root / "wrong" / "kubectl").write_bytes((root / "kubectl").read_bytes())
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield {
        "url": url,
        "vars": {
            "jump_host_kubectl_url": f"{url}/kubectl",
            # The one tool checked against a checksum file, the form the defaults use upstream.
            "jump_host_kubectl_checksum": f"sha256:{url}/kubectl.sha256",
            "jump_host_kubelogin_url": f"{url}/kubelogin-linux-amd64.zip",
            "jump_host_kubelogin_checksum": f"sha256:{sha256(root / 'kubelogin-linux-amd64.zip')}",
            "jump_host_helm_url": f"{url}/{helm_tarball.name}",
            "jump_host_helm_checksum": f"sha256:{sha256(helm_tarball)}",
            # helm built by `go install` reports only major.minor ("v3.22"); release builds print v3.22.0+g<sha>.
            "jump_host_helm_version_pattern": "v" + ".".join(version["helm"].split(".")[:2]),
            "jump_host_argocd_url": f"{url}/argocd-linux-amd64",
            "jump_host_argocd_checksum": f"sha256:{sha256(root / 'argocd-linux-amd64')}",
        },
        "kubectl_sha256": sha256(root / "kubectl"),
    }
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler without access logs."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


def in_chroot(root: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command inside the test root filesystem."""
    return subprocess.run(["chroot", str(root), *command], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh writable copy of the cached Debian root filesystem, /proc mounted, service starts refused.

    The copy is an overlay on the cache (cheap to make and to throw away); `cp -a` where overlayfs is missing.
    """
    packages = [*DEFAULTS["jump_host_packages"], "azure-cli", DEFAULTS["jump_host_psql_package"]]
    built = subprocess.run(
        ["bash", str(HERE / "rootfs.sh"), *packages], capture_output=True, text=True, check=False, timeout=1800
    )
    assert built.returncode == 0, built.stderr[-4000:]
    cached = built.stdout.strip()
    work = tmp_path_factory.mktemp("jump")
    root, upper, scratch = work / "rootfs", work / "upper", work / "work"
    for path in (root, upper, scratch):
        path.mkdir()
    options = f"lowerdir={cached},upperdir={upper},workdir={scratch}"
    overlay = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(root)], check=False)
    if overlay.returncode != 0:
        subprocess.run(["cp", "-a", f"{cached}/.", str(root)], check=True)
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\n# Test root filesystem: no service may start.\nexit 101\n")
    policy.chmod(0o755)
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], check=False)
        if overlay.returncode == 0:
            subprocess.run(["umount", "-l", str(root)], check=False)
        shutil.rmtree(work, ignore_errors=True)


def enabled(root: Path, unit: str) -> bool:
    """Whether systemd would start a unit at boot (systemctl works offline in a chroot)."""
    return in_chroot(root, "systemctl", "is-enabled", unit, check=False).stdout.strip() == "enabled"


def apt_candidate(root: Path, package: str) -> str:
    """The version apt would install in the root filesystem (the test pins what the mirror serves today)."""
    policy = in_chroot(root, "apt-cache", "policy", package).stdout
    return next(line.split()[1] for line in policy.splitlines() if line.strip().startswith("Candidate:"))


@pytest.fixture(scope="module")
def converge(
    rootfs: Path, artefacts: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., PlaybookRun]:
    """Return a runner of playbooks/jump_hosts.yml against the chroot, with variable overrides and CLI args."""
    work = tmp_path_factory.mktemp("converge")
    inventory = work / "inventory.yml"
    host = {
        "ansible_connection": "community.general.chroot",
        "ansible_host": str(rootfs),
        "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_become": False,  # already root; the chroot has no sudo before the role installs it
    }
    inventory.write_text(yaml.safe_dump({"all": {"children": {"jump_hosts": {"hosts": {HOST: host}}}}}))
    base = {
        **artefacts["vars"],
        "jump_host_bastion_subnets": [BASTION],
        "jump_host_azure_cli_repo_url": "",  # Debian's azure-cli: Microsoft's repository is not reachable here
        "jump_host_azure_cli_version": apt_candidate(rootfs, "azure-cli"),
        "jump_host_psql_version": apt_candidate(rootfs, DEFAULTS["jump_host_psql_package"]),
    }

    def run(*args: str, **overrides: Any) -> PlaybookRun:
        return run_playbook("jump_hosts.yml", str(inventory), {**base, **overrides}, work, *args)

    return run


@pytest.fixture(scope="module")
def runs(converge: Callable[..., PlaybookRun]) -> tuple[PlaybookRun, PlaybookRun]:
    """Converge twice: the first run does the work, the second must change nothing."""
    first = converge()
    assert first.returncode == 0, first.output[-6000:]
    second = converge()
    return first, second


def test_first_run_converges(runs: tuple[PlaybookRun, PlaybookRun]) -> None:
    """The role applies cleanly to a fresh Debian system, handlers skipped since no init runs."""
    first, _ = runs
    assert first.failed(HOST) == 0
    assert first.changed(HOST) > 10
    for handler in ("Reload sshd", "Reload nftables", "Restart fail2ban", "Load audit rules", "Restart chrony"):
        results = first.results(handler, HOST)
        assert results, f"handler {handler!r} was not notified"
        assert all(result.get("skipped") for result in results), (handler, results)


def test_second_run_changes_nothing(runs: tuple[PlaybookRun, PlaybookRun]) -> None:
    """Idempotency: the second run reports changed=0."""
    _, second = runs
    assert second.returncode == 0, second.output[-6000:]
    assert second.changed(HOST) == 0, second.output[-6000:]


def sshd_settings(root: Path) -> dict[str, str]:
    """sshd's effective configuration (sshd -T), as lower-case keyword -> value."""
    dumped = in_chroot(root, "/usr/sbin/sshd", "-T").stdout
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in dumped.splitlines() if " " in line}


def test_sshd_config_is_valid_and_hardened(runs: Any, rootfs: Path) -> None:
    """sshd -t accepts the configuration and its effective settings are the hardened ones."""
    assert in_chroot(rootfs, "/usr/sbin/sshd", "-t", check=False).returncode == 0
    settings = sshd_settings(rootfs)
    assert settings["permitrootlogin"] == "no"
    assert settings["passwordauthentication"] == "no"
    assert settings["kbdinteractiveauthentication"] == "no"
    assert settings["authenticationmethods"] == "publickey"
    assert settings["allowgroups"] == "medqa-operators"
    assert settings["ciphers"] == "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com"
    assert settings["macs"] == "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com"
    assert "diffie-hellman-group14-sha1" not in settings["kexalgorithms"]
    assert settings["clientaliveinterval"] == "300"
    assert settings["x11forwarding"] == "no" and settings["allowtcpforwarding"] == "no"
    assert settings["banner"] == "/etc/issue.net"
    assert "readonly TMOUT" in (rootfs / "etc/profile.d/medqa-idle-timeout.sh").read_text()
    assert "medqa-operators:" in (rootfs / "etc/group").read_text()


def test_firewall_allows_ssh_from_bastion_only(runs: Any, rootfs: Path) -> None:
    """The nftables ruleset parses (nft -c), drops by default and admits SSH only from the Bastion subnet."""
    assert in_chroot(rootfs, "/usr/sbin/nft", "-c", "-f", "/etc/nftables.conf", check=False).returncode == 0
    rules = (rootfs / "etc/nftables.conf").read_text()
    assert "type filter hook input priority filter; policy drop;" in rules
    assert f"elements = {{ {BASTION} }}" in rules
    assert "ip saddr @bastion_v4 tcp dport 22 ct state new accept" in rules
    assert enabled(rootfs, "nftables.service")


def test_fail2ban_sshd_jail_exists(runs: Any, rootfs: Path) -> None:
    """fail2ban's configuration test passes and the sshd jail reads the journal."""
    assert in_chroot(rootfs, "fail2ban-client", "--test", check=False).returncode == 0
    jail = (rootfs / "etc/fail2ban/jail.d/medqa-sshd.local").read_text()
    assert "[sshd]\nenabled = true\n" in jail and "backend = systemd" in jail
    assert enabled(rootfs, "fail2ban.service")


def test_upgrades_audit_time_banner(runs: Any, rootfs: Path) -> None:
    """Security upgrades run unattended, privileged commands are audited, chrony and the banner are set."""
    apt_config = in_chroot(rootfs, "apt-config", "dump").stdout
    assert 'APT::Periodic::Unattended-Upgrade "1";' in apt_config
    assert "label=Debian-Security" in apt_config
    rules = (rootfs / "etc/audit/rules.d/50-medqa-privileged.rules").read_text()
    assert "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged" in rules
    assert "-w /etc/sudoers -p wa -k identity-and-access" in rules
    assert "refclock PHC /dev/ptp_hyperv" in (rootfs / "etc/chrony/conf.d/medqa.conf").read_text()
    assert "Authorised operators only" in (rootfs / "etc/issue.net").read_text()
    assert "kernel.kptr_restrict=2" in (rootfs / "etc/sysctl.d/60-medqa-hardening.conf").read_text()
    for unit in ("ssh.service", "auditd.service", "chrony.service"):
        assert enabled(rootfs, unit), unit


def test_tools_installed_at_pinned_versions(runs: Any, rootfs: Path, artefacts: dict[str, Any]) -> None:
    """Each tool answers with its pinned version; the downloaded kubectl is byte-for-byte the one served."""
    outputs = {
        "kubectl": ["version", "--client"],
        "kubelogin": ["--version"],
        "helm": ["version", "--short"],
        "argocd": ["version", "--client", "--short"],
    }
    for name, args in outputs.items():
        done = in_chroot(rootfs, f"/usr/local/bin/{name}", *args)
        pattern = artefacts["vars"].get(
            f"jump_host_{name}_version_pattern", f"v{DEFAULTS[f'jump_host_{name}_version']}"
        )
        assert pattern in done.stdout, (name, done.stdout)
    kubectl = rootfs / "opt/medqa-tools/kubectl" / DEFAULTS["jump_host_kubectl_version"] / "kubectl"
    assert sha256(kubectl) == artefacts["kubectl_sha256"]
    assert json.loads(in_chroot(rootfs, "az", "version", "--output", "json").stdout)["azure-cli"]
    assert in_chroot(rootfs, "psql", "--version").stdout.startswith("psql (PostgreSQL) ")
    held = in_chroot(rootfs, "dpkg", "--get-selections", "azure-cli", DEFAULTS["jump_host_psql_package"]).stdout
    assert held.split() == ["azure-cli", "hold", DEFAULTS["jump_host_psql_package"], "hold"]


def kubectl_link(root: Path) -> str:
    """Where /usr/local/bin/kubectl points."""
    return os.readlink(root / "usr/local/bin/kubectl")


def test_checksum_mismatch_fails_and_keeps_the_old_tool(runs: Any, rootfs: Path, converge: Any, artefacts: Any) -> None:
    """A download whose checksum differs fails the run; kubectl stays the pinned one."""
    before = kubectl_link(rootfs)
    run = converge(
        "--tags", "tools",
        jump_host_kubectl_version="9.9.9",
        jump_host_kubectl_url=f"{artefacts['url']}/wrong/kubectl",
        jump_host_kubectl_checksum="sha256:" + "0" * 64,
    )  # fmt: skip
    assert run.returncode != 0
    assert "checksum" in run.output.lower()
    assert kubectl_link(rootfs) == before


def test_wrong_version_binary_fails_before_linking(runs: Any, rootfs: Path, converge: Any, artefacts: Any) -> None:
    """A binary that reports another version than pinned is never linked into /usr/local/bin."""
    before = kubectl_link(rootfs)
    served = artefacts["url"] + "/wrong/kubectl"
    run = converge(
        "--tags", "tools",
        jump_host_kubectl_version="9.9.9",
        jump_host_kubectl_url=served,
        jump_host_kubectl_checksum=f"sha256:{artefacts['kubectl_sha256']}",
    )  # fmt: skip
    assert run.returncode != 0
    assert "not the pinned 9.9.9" in run.output
    assert kubectl_link(rootfs) == before


def test_invalid_sshd_setting_is_rejected_by_sshd_t(runs: Any, rootfs: Path, converge: Any) -> None:
    """validate: sshd -t refuses a configuration with an unknown cipher; the installed file is untouched."""
    before = (rootfs / "etc/ssh/sshd_config").read_text()
    run = converge("--tags", "ssh", jump_host_ssh_ciphers=["rot13-cbc"])
    assert run.returncode != 0
    assert "failed to validate" in run.output
    assert (rootfs / "etc/ssh/sshd_config").read_text() == before


def test_invalid_firewall_rule_is_rejected_by_nft_check(runs: Any, rootfs: Path, converge: Any) -> None:
    """validate: nft -c refuses a ruleset with an impossible port; the installed ruleset is untouched."""
    before = (rootfs / "etc/nftables.conf").read_text()
    run = converge("--tags", "firewall", jump_host_ssh_port=70000)
    assert run.returncode != 0
    assert "failed to validate" in run.output
    assert (rootfs / "etc/nftables.conf").read_text() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jump_host_bastion_subnets": []}, "jump_host_bastion_subnets must list the AzureBastionSubnet"),
        ({"jump_host_bastion_subnets": ["10.20.1.0"]}, "jump_host_bastion_subnets must list the AzureBastionSubnet"),
        ({"jump_host_ssh_allowed_groups": []}, "nobody could log in"),
    ],
)
def test_bad_inputs_fail_before_any_change(runs: Any, converge: Any, overrides: dict[str, Any], message: str) -> None:
    """Without a Bastion subnet in CIDR form, or without login groups, the role stops before touching the host."""
    run = converge("--tags", "ssh", **overrides)
    assert run.returncode != 0
    assert message in run.output
    assert run.changed(HOST) == 0
