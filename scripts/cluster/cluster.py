"""A throwaway Kubernetes control plane, and Argo CD beside it, on loopback (issue #13).

    cluster.py up          etcd, kube-apiserver (admission on, Pod Security included), kube-controller-manager,
                           kube-scheduler and kwok (two fake nodes that make pods Ready), our CRDs installed
    cluster.py down        stop everything and delete the state directory
    cluster.py status      each process, alive or not, and every TCP listener it holds
    cluster.py env         `export KUBECONFIG=...` for a shell
    cluster.py check       server-side dry-run of every rendered overlay and of the Argo CD objects;
                           a warning (Pod Security "restricted" among them) is an error
    cluster.py argocd-up   redis, Argo CD's repo-server, application controller and ApplicationSet controller
    cluster.py argocd-down stop them
    cluster.py register NAME [LABEL=VALUE...]
                           an Argo CD cluster registration Secret for this API server, named NAME
    cluster.py isolated -- CMD...
                           run CMD in a new network namespace whose only interface is loopback

Every listener binds 127.0.0.1, except one that cannot: Argo CD's application controller serves its metrics
on 0.0.0.0 (hard-coded in 3.2). So `argocd-up` refuses to run where any interface but loopback exists; use it
through `isolated` (as `task e2e:gitops` does), where 0.0.0.0 is loopback and nothing else is reachable.

State (certificates, etcd data, logs, kubeconfig, pids, ports) lives in ${MEDQA_CLUSTER_HOME:-~/.cache/
medqa-cluster}. The binaries come from the toolchain cache (`task cluster:tools`). Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "scripts" / "tools"))

import toolchain  # noqa: E402  (scripts/tools/toolchain.py: where the pinned binaries are)

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
ARGOCD = ("redis", "argocd-repo-server", "argocd-application-controller", "argocd-applicationset-controller")
SERVICE_CIDR = "10.96.0.0/16"
NODES = (("kwok-node-0", "zone-a"), ("kwok-node-1", "zone-b"))
CRD_SOURCES = ("argo-cd", "cert-manager", "external-secrets", "kyverno", "cilium")
OVERLAYS = REPO / "gitops" / "kustomize" / "overlays"
ARGOCD_OBJECTS = REPO / "gitops" / "argocd"
ARGOCD_LOCAL = HERE / "argocd-local.yaml"
KWOK_OURS = HERE / "kwok-stages.yaml"


class ClusterError(Exception):
    """Something the user must act on; the message says what."""


# ---------------------------------------------------------------- state


def home() -> Path:
    """The state directory of this cluster."""
    env = os.environ.get("MEDQA_CLUSTER_HOME")
    return Path(env) if env else Path.home() / ".cache" / "medqa-cluster"


def load_state() -> dict[str, Any]:
    """The recorded ports and pids, or an empty state."""
    path = home() / "state.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def save_state(state: dict[str, Any]) -> None:
    """Record ports and pids (atomically)."""
    path = home() / "state.json"
    staging = path.with_suffix(".part")
    staging.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    staging.replace(path)


def kubeconfig() -> Path:
    """The admin kubeconfig of the running cluster."""
    return home() / "kubeconfig"


def tool(name: str) -> Path:
    """A pinned binary from the toolchain cache, or a ClusterError naming the task that builds it."""
    try:
        return toolchain.find(name, toolchain.load_manifest())
    except toolchain.ToolError as error:
        raise ClusterError(f"{error}: run `task cluster:tools` first (a cold build takes about 11 min)") from None


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    """True while a process runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# ---------------------------------------------------------------- certificates


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ClusterError(f"openssl {args[0]} failed: {last}")


def _leaf(pki: Path, name: str, subject: str, extensions: str) -> None:
    """An EC P-256 key and a certificate for it, signed by the local CA."""
    (pki / f"{name}.ext").write_text(extensions)
    _openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=pki,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "30", "-out", f"{name}.crt", "-extfile", f"{name}.ext", cwd=pki,
    )  # fmt: skip


def make_pki(pki: Path) -> None:
    """A CA, the API server's serving certificate, client certificates and the service-account key."""
    pki.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=medqa-local-ca",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=pki,
    )  # fmt: skip
    names = "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default"
    names += ",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    server = f"subjectAltName={names}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n"
    client = "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n"
    _leaf(pki, "apiserver", "/CN=kube-apiserver", server)
    _leaf(pki, "admin", "/O=system:masters/CN=medqa-admin", client)
    _leaf(pki, "controller-manager", "/CN=system:kube-controller-manager", client)
    _leaf(pki, "scheduler", "/CN=system:kube-scheduler", client)
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key", cwd=pki)
    _openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)


def write_kubeconfig(path: Path, server: str, pki: Path, user: str) -> None:
    """A kubeconfig (JSON is YAML) for one of the client certificates."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "medqa-local", "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}
        ],
        "users": [
            {
                "name": user,
                "user": {"client-certificate": str(pki / f"{user}.crt"), "client-key": str(pki / f"{user}.key")},
            }
        ],
        "contexts": [{"name": "medqa-local", "context": {"cluster": "medqa-local", "user": user}}],
        "current-context": "medqa-local",
    }
    path.write_text(json.dumps(config, indent=2) + "\n")


def registration(name: str, labels: dict[str, str]) -> dict[str, Any]:
    """An Argo CD cluster registration Secret for this API server (the bootstrap writes these on AKS)."""
    state, pki = load_state(), home() / "pki"

    def b64(file: str) -> str:
        return base64.b64encode((pki / file).read_bytes()).decode()

    config = {"tlsClientConfig": {"caData": b64("ca.crt"), "certData": b64("admin.crt"), "keyData": b64("admin.key")}}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"cluster-{name}",
            "namespace": "argocd",
            "labels": {"argocd.argoproj.io/secret-type": "cluster", **labels},
        },
        "type": "Opaque",
        "stringData": {"name": name, "server": state["server"], "config": json.dumps(config)},
    }


# ---------------------------------------------------------------- processes


def start(state: dict[str, Any], name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Start one component in its own session, its output in logs/<name>.log, and record its pid."""
    logs = home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=home(),
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    state.setdefault("pids", {})[name] = process.pid
    save_state(state)


def log_tail(name: str, lines: int = 15) -> str:
    """The end of a component's log, for an error message."""
    path = home() / "logs" / f"{name}.log"
    text = path.read_text(errors="replace").splitlines() if path.is_file() else []
    return "\n".join(f"    {line}" for line in text[-lines:])


def wait_for(name: str, check: Callable[[], bool], timeout: float = 90.0) -> None:
    """Poll until check() is true; fail early, with the log, if the component exits."""
    pid = load_state().get("pids", {}).get(name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not alive(pid):
            raise ClusterError(f"{name} exited; the end of its log:\n{log_tail(name)}")
        try:
            if check():
                return
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
        time.sleep(0.5)
    raise ClusterError(f"{name} not ready after {timeout:.0f} s; the end of its log:\n{log_tail(name)}")


def stop(names: Iterable[str]) -> list[str]:
    """Stop components (SIGTERM to their process group, SIGKILL after 15 s); return the stopped names."""
    state = load_state()
    pids = state.get("pids", {})
    stopped = []
    for name in reversed(list(names)):
        pid = pids.pop(name, None)
        if pid is None or not alive(pid):
            continue
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 15
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if alive(pid):
            os.killpg(pid, signal.SIGKILL)
        stopped.append(name)
    if state:
        save_state(state)
    return stopped


def _https_ok(url: str, context: ssl.SSLContext) -> bool:
    with urllib.request.urlopen(url, timeout=3, context=context) as response:  # noqa: S310 (loopback only)
        return bool(response.status == 200)


def admin_tls() -> ssl.SSLContext:
    """A TLS context that trusts the local CA and presents the admin certificate."""
    pki = home() / "pki"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return context


def kubectl(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the pinned kubectl against this cluster."""
    command = [str(tool("kubectl")), "--kubeconfig", str(kubeconfig()), *args]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise ClusterError(f"kubectl {' '.join(args[:3])} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


# ---------------------------------------------------------------- listeners


def _decode(address: str) -> str:
    """/proc/net/tcp{,6} hex address -> dotted or colon form (the kernel writes 32-bit words little-endian)."""
    raw = bytes.fromhex(address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    family = socket.AF_INET if len(words) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, words)


def listeners(pids: dict[str, int]) -> list[tuple[str, str, int]]:
    """Every listening TCP socket the components hold: (component, address, port)."""
    found = []
    for name, pid in pids.items():
        inodes = set()
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:  # closed since the listing
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        for table in ("tcp", "tcp6"):
            try:
                rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    host, port = fields[1].split(":")
                    found.append((name, _decode(host), int(port, 16)))
    return sorted(set(found))


def only_loopback_interfaces() -> bool:
    """True in a network namespace whose only interface is lo (the /proc view follows the namespace)."""
    rows = Path("/proc/net/dev").read_text().splitlines()[2:]
    return [row.split(":")[0].strip() for row in rows] == ["lo"]


# ---------------------------------------------------------------- up / down


KWOK_STAGES = ("node/fast", "node/heartbeat-with-lease", "pod/fast")


def _module_dir(module: str, version: str) -> Path:
    """Where a module version sits in the Go module cache (downloaded on first use)."""
    try:
        return toolchain.module_dir(module, version)
    except toolchain.ToolError as error:
        raise ClusterError(f"{error} (`task tools` downloads it)") from None


def _kwok_config(path: Path) -> None:
    """kwok's own stage definitions (nodes: initialise, heartbeat with a lease; pods: ready, complete, delete),
    plus ours (kwok-stages.yaml: a failing migration).

    kwokctl passes these to kwok; run alone, kwok needs them in --config. kwok's are read from the pinned
    kwok module, so they always match the binary.
    """
    spec = toolchain.load_manifest()["kwok"]
    root = _module_dir(spec["source"], spec["module_version"]) / "kustomize" / "stage"
    documents = []
    for stage in KWOK_STAGES:
        documents += [f.read_text() for f in sorted((root / stage).glob("*.yaml")) if f.name != "kustomization.yaml"]
    documents.append(KWOK_OURS.read_text())
    path.write_text("\n---\n".join(doc.strip() for doc in documents) + "\n")


def _crd_files() -> list[Path]:
    """The CRD YAML files of scripts/tools.toml's crd-schemas sources, from the Go module cache."""
    with toolchain.MANIFEST.open("rb") as handle:
        sources = tomllib.load(handle)["tools"]["crd-schemas"]["sources"]
    files = []
    for key in CRD_SOURCES:
        source = sources[key]
        root = _module_dir(source["module"], source["version"])
        files += [root / name for name in source["files"]]
    return files


def _node(name: str, zone: str) -> dict[str, Any]:
    """A fake node that kwok manages (the annotation) with room for everything we run."""
    capacity = {"cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/role": "agent",
                "topology.kubernetes.io/zone": zone,
                "type": "kwok",
            },
        },
        "status": {"allocatable": capacity, "capacity": capacity},
    }


def up() -> int:
    """Start the control plane and kwok, create the fake nodes, install the CRDs."""
    state = load_state()
    if any(alive(pid) for pid in state.get("pids", {}).values()):
        print(f"cluster: already up (KUBECONFIG={kubeconfig()}); `task cluster:down` first to start afresh")
        return 0
    binaries = {name: tool(name) for name in (*CONTROL_PLANE, "kubectl")}
    root = home()
    shutil.rmtree(root, ignore_errors=True)  # what a previous, crashed run left
    root.mkdir(parents=True)
    began = time.monotonic()
    pki = root / "pki"
    make_pki(pki)
    ports = {name: free_port() for name in ("etcd", "etcd-peer", "apiserver", "kcm", "scheduler", "kwok")}
    server = f"https://127.0.0.1:{ports['apiserver']}"
    state = {"server": server, "ports": ports, "pids": {}}
    save_state(state)
    write_kubeconfig(root / "kubeconfig", server, pki, "admin")
    write_kubeconfig(root / "controller-manager.kubeconfig", server, pki, "controller-manager")
    write_kubeconfig(root / "scheduler.kubeconfig", server, pki, "scheduler")
    try:
        _start_control_plane(state, binaries, ports, pki)
        _install_nodes_and_crds()
    except ClusterError:
        stop(CONTROL_PLANE)
        raise
    print(f"cluster: up in {time.monotonic() - began:.0f} s: Kubernetes {_server_version()} at {server}")
    print(f"cluster: export KUBECONFIG={kubeconfig()}")
    return 0


def _start_control_plane(state: dict[str, Any], bins: dict[str, Path], ports: dict[str, int], pki: Path) -> None:
    etcd_url = f"http://127.0.0.1:{ports['etcd']}"
    peer_url = f"http://127.0.0.1:{ports['etcd-peer']}"
    start(state, "etcd", [
        str(bins["etcd"]), "--name=medqa", f"--data-dir={home() / 'etcd'}",
        f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
        f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=medqa={peer_url}", "--unsafe-no-fsync",  # throwaway data: speed over durability
        "--log-level=warn",
    ])  # fmt: skip
    wait_for("etcd", lambda: _http_ok(f"{etcd_url}/health"))
    start(state, "kube-apiserver", [
        str(bins["kube-apiserver"]), f"--etcd-servers={etcd_url}",
        "--bind-address=127.0.0.1", f"--secure-port={ports['apiserver']}", "--advertise-address=127.0.0.1",
        # Endpoints may not hold loopback addresses; nothing here needs the `kubernetes` Service's endpoints.
        "--endpoint-reconciler-type=none",
        f"--tls-cert-file={pki / 'apiserver.crt'}", f"--tls-private-key-file={pki / 'apiserver.key'}",
        f"--client-ca-file={pki / 'ca.crt'}", "--anonymous-auth=false",
        f"--service-account-key-file={pki / 'sa.pub'}", f"--service-account-signing-key-file={pki / 'sa.key'}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={SERVICE_CIDR}", "--authorization-mode=Node,RBAC",
        # The default admission chain (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, ResourceQuota,
        # the admission webhooks, ...) plus NodeRestriction; --allow-privileged off, as on AKS with policy.
        "--enable-admission-plugins=NodeRestriction", "--allow-privileged=false", "--profiling=false",
    ])  # fmt: skip
    wait_for("kube-apiserver", lambda: _https_ok(f"https://127.0.0.1:{ports['apiserver']}/readyz", admin_tls()))
    insecure = ssl._create_unverified_context()  # noqa: S323 (self-signed serving certs of kcm/scheduler, loopback)
    kcm = home() / "controller-manager.kubeconfig"
    start(state, "kube-controller-manager", [
        str(bins["kube-controller-manager"]), f"--kubeconfig={kcm}",
        f"--authentication-kubeconfig={kcm}", f"--authorization-kubeconfig={kcm}",
        "--bind-address=127.0.0.1", f"--secure-port={ports['kcm']}", "--leader-elect=false",
        f"--service-account-private-key-file={pki / 'sa.key'}", f"--root-ca-file={pki / 'ca.crt'}",
        # Each controller acts as its own ServiceAccount with its bootstrap role, as on kubeadm and AKS.
        f"--service-cluster-ip-range={SERVICE_CIDR}", "--use-service-account-credentials=true",
        "--profiling=false",
    ])  # fmt: skip
    sched = home() / "scheduler.kubeconfig"
    start(state, "kube-scheduler", [
        str(bins["kube-scheduler"]), f"--kubeconfig={sched}",
        f"--authentication-kubeconfig={sched}", f"--authorization-kubeconfig={sched}",
        "--bind-address=127.0.0.1", f"--secure-port={ports['scheduler']}", "--leader-elect=false",
        "--profiling=false",
    ])  # fmt: skip
    wait_for("kube-controller-manager", lambda: _https_ok(f"https://127.0.0.1:{ports['kcm']}/healthz", insecure))
    wait_for("kube-scheduler", lambda: _https_ok(f"https://127.0.0.1:{ports['scheduler']}/healthz", insecure))
    _kwok_config(home() / "kwok.yaml")
    start(state, "kwok", [
        str(bins["kwok"]), f"--kubeconfig={kubeconfig()}", f"--config={home() / 'kwok.yaml'}",
        "--node-lease-duration-seconds=40",
        "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--cidr=10.244.0.0/16", "--node-ip=10.244.0.1", f"--server-address=127.0.0.1:{ports['kwok']}",
    ])  # fmt: skip
    wait_for("kwok", lambda: _http_ok(f"http://127.0.0.1:{ports['kwok']}/healthz"))


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (loopback only)
        return bool(response.status == 200)


def _install_nodes_and_crds() -> None:
    nodes = {"apiVersion": "v1", "kind": "List", "items": [_node(name, zone) for name, zone in NODES]}
    kubectl("apply", "-f", "-", stdin=json.dumps(nodes))
    kubectl("wait", "--for=condition=Ready", "node", "--all", "--timeout=90s")
    for crd in _crd_files():
        kubectl("apply", "--server-side", "--field-manager=medqa-cluster", "-f", str(crd))
    kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
    # The ServiceAccount controller runs: namespaces get their `default` ServiceAccount (admission needs it).
    wait_for(
        "kube-controller-manager", lambda: kubectl("get", "serviceaccount", "default", check=False).returncode == 0
    )


def _server_version() -> str:
    done = kubectl("version", "-o", "json", check=False)
    try:
        return str(json.loads(done.stdout)["serverVersion"]["gitVersion"])
    except (ValueError, KeyError):
        return "?"


def down() -> int:
    """Stop every component and delete the state directory."""
    stopped = stop((*CONTROL_PLANE, *ARGOCD))
    shutil.rmtree(home(), ignore_errors=True)
    print(f"cluster: down ({', '.join(stopped) or 'nothing was running'})")
    return 0


def status() -> int:
    """Each component, and every listener it holds; exit 1 when a control-plane process is down."""
    state = load_state()
    pids = state.get("pids", {})
    if not pids:
        print("cluster: not up (`task cluster:up`)")
        return 1
    running = {name: pid for name, pid in pids.items() if alive(pid)}
    for name in (*CONTROL_PLANE, *ARGOCD):
        if name in pids:
            print(f"{name:34} pid {pids[name]:>7}  {'running' if name in running else 'DOWN'}")
    for name, host, port in listeners(running):
        print(f"  listener {name:34} {host}:{port}")
    return 0 if all(name in running for name in CONTROL_PLANE) else 1


# ---------------------------------------------------------------- server-side checks


def _label(path: Path) -> str:
    """A path as the user knows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _kustomize(path: Path) -> list[dict[str, Any]]:
    """Render a Kustomize directory to objects (kustomize prints YAML; kubectl turns it into JSON)."""
    built = subprocess.run([str(tool("kustomize")), "build", str(path)], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise ClusterError(f"kustomize build {_label(path)}: {built.stderr.strip()}")
    return _objects(kubectl("create", "--dry-run=client", "-o", "json", "-f", "-", stdin=built.stdout).stdout)


def _objects(text: str) -> list[dict[str, Any]]:
    """The objects in kubectl's JSON output: one document per object, one after the other."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        while text[at].isspace():
            at += 1
        parsed, at = decoder.raw_decode(text, at)
        found += parsed["items"] if parsed.get("kind") == "List" else [parsed]
    return found


def dry_run(objects: list[dict[str, Any]], label: str) -> list[str]:
    """Server-side dry-run; return the problems (errors and warnings both count)."""
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    rest = [o for o in objects if o["kind"] != "Namespace"]
    problems = []
    if namespaces:  # a dry-run creates nothing, so the namespaces the objects go into are created for real
        kubectl("apply", "--server-side", "--field-manager=medqa-check", "-f", "-",
                stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": namespaces}))  # fmt: skip
    done = kubectl(
        "apply", "--server-side", "--dry-run=server", "--field-manager=medqa-check", "--validate=strict",
        "--warnings-as-errors", "-f", "-",
        stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": rest}), check=False,
    )  # fmt: skip
    if done.returncode != 0:
        problems += [f"{label}: {line}" for line in done.stderr.strip().splitlines() if line.strip()]
    return problems


def check(paths: list[str]) -> int:
    """Server-side dry-run of every overlay (or the given Kustomize directories) and the Argo CD objects."""
    require_control_plane()
    targets = [Path(p).resolve() for p in paths] or sorted(p for p in OVERLAYS.iterdir() if p.is_dir())
    problems: list[str] = []
    for target in targets:
        label = _label(target)
        found = dry_run(_kustomize(target), label)
        problems += found
        print(f"check: {label}: {'FAILED' if found else 'accepted'} (server-side dry-run)")
    if not paths:
        kubectl("create", "namespace", "argocd", check=False)
        files = sorted(ARGOCD_OBJECTS.rglob("*.yaml"))
        as_json = kubectl("create", "--dry-run=client", "-o", "json", *(f"--filename={f}" for f in files))
        found = dry_run(_objects(as_json.stdout), "gitops/argocd")
        problems += found
        print(f"check: gitops/argocd: {'FAILED' if found else 'accepted'} (server-side dry-run)")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


# ---------------------------------------------------------------- Argo CD


def argocd_up() -> int:
    """Redis, the repo-server, the application controller and the ApplicationSet controller, local processes."""
    if not only_loopback_interfaces():
        raise ClusterError(
            "Argo CD's application controller binds its metrics port on 0.0.0.0; run it where loopback is the "
            "only interface: `python3 scripts/cluster/cluster.py isolated -- ...` (task e2e:gitops does)"
        )
    state = require_control_plane()
    if any(alive(state["pids"].get(name, -1)) for name in ARGOCD):
        print("argocd: already up")
        return 0
    argocd, redis = tool("argocd"), tool("redis-server")
    tool_path = os.pathsep.join(str(tool(name).parent) for name in ("kustomize", "helm"))
    ports = state["ports"]
    ports.update({name: free_port() for name in ("redis", "repo", "repo-metrics", "controller-metrics",
                                                  "appset-metrics", "appset-probe", "appset-webhook")})  # fmt: skip
    save_state(state)
    for directory in ("argocd-home", "argocd-tmp", "redis"):
        (home() / directory).mkdir(exist_ok=True)
    kubectl("apply", "--server-side", "--field-manager=medqa-cluster", "-f", str(ARGOCD_LOCAL))
    # The key Argo CD signs its own tokens and webhook state with: random per cluster, never in Git.
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "argocd-secret",
            "namespace": "argocd",
            "labels": {"app.kubernetes.io/name": "argocd-secret", "app.kubernetes.io/part-of": "argocd"},
        },
        "type": "Opaque",
        "stringData": {"server.secretkey": secrets.token_urlsafe(32)},
    }
    kubectl("create", "-f", "-", stdin=json.dumps(secret), check=False)  # kept when it exists already
    redis_addr = f"127.0.0.1:{ports['redis']}"
    repo_addr = f"127.0.0.1:{ports['repo']}"
    env = {
        "KUBECONFIG": str(kubeconfig()),
        # The in-cluster destination (https://kubernetes.default.svc) means this API server, via KUBECONFIG.
        "ARGOCD_FAKE_IN_CLUSTER": "true",
        "ARGOCD_GPG_ENABLED": "false",
        "HOME": str(home() / "argocd-home"),
        "TMPDIR": str(home() / "argocd-tmp"),
        "PATH": f"{tool_path}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
    }
    start(state, "redis", [
        str(redis), "--bind", "127.0.0.1", "--port", str(ports["redis"]), "--save", "", "--appendonly", "no",
        "--dir", str(home() / "redis"), "--protected-mode", "yes",
    ])  # fmt: skip
    start(state, "argocd-repo-server", [
        str(argocd), "--address", "127.0.0.1", "--port", str(ports["repo"]),
        "--metrics-address", "127.0.0.1", "--metrics-port", str(ports["repo-metrics"]),
        "--disable-tls", "--redis", redis_addr, "--loglevel", "info",
    ], {**env, "ARGOCD_BINARY_NAME": "argocd-repo-server"})  # fmt: skip
    start(state, "argocd-application-controller", [
        str(argocd), "--namespace", "argocd", "--repo-server", repo_addr, "--repo-server-plaintext",
        "--redis", redis_addr, "--metrics-port", str(ports["controller-metrics"]),
        "--status-processors", "4", "--operation-processors", "4", "--loglevel", "info",
    ], {**env, "ARGOCD_BINARY_NAME": "argocd-application-controller"})  # fmt: skip
    start(state, "argocd-applicationset-controller", [
        str(argocd), "--namespace", "argocd", "--argocd-repo-server", repo_addr, "--repo-server-plaintext",
        "--metrics-addr", f"127.0.0.1:{ports['appset-metrics']}", "--probe-addr", f"127.0.0.1:{ports['appset-probe']}",
        "--webhook-addr", f"127.0.0.1:{ports['appset-webhook']}", "--enable-leader-election=false",
        "--loglevel", "info",
    ], {**env, "ARGOCD_BINARY_NAME": "argocd-applicationset-controller"})  # fmt: skip
    wait_for("redis", lambda: _tcp_open(ports["redis"]))
    wait_for("argocd-repo-server", lambda: _tcp_open(ports["repo"]))
    wait_for(
        "argocd-application-controller", lambda: _http_ok(f"http://127.0.0.1:{ports['controller-metrics']}/metrics")
    )
    wait_for(
        "argocd-applicationset-controller", lambda: _http_ok(f"http://127.0.0.1:{ports['appset-metrics']}/metrics")
    )
    print(f"argocd: up (repo-server {repo_addr}, redis {redis_addr})")
    return 0


def _tcp_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return True


def require_control_plane() -> dict[str, Any]:
    """The state of the running control plane, or a ClusterError saying to start it."""
    state = load_state()
    if not state.get("pids") or not alive(state["pids"].get("kube-apiserver", -1)):
        raise ClusterError("the control plane is not up (`task cluster:up`)")
    return state


def register(args: list[str]) -> int:
    """Apply a cluster registration Secret (the AKS bootstrap writes these; labels select environments)."""
    if not args or any("=" not in arg for arg in args[1:]):
        raise ClusterError("usage: cluster.py register NAME [LABEL=VALUE...]")
    labels = dict(arg.split("=", 1) for arg in args[1:])
    require_control_plane()
    kubectl("apply", "--server-side", "--field-manager=medqa-cluster", "-f", "-",
            stdin=json.dumps(registration(args[0], labels)))  # fmt: skip
    print(f"cluster: registered {args[0]} ({load_state()['server']}) for Argo CD")
    return 0


def argocd_down() -> int:
    """Stop the Argo CD processes and redis."""
    stopped = stop(ARGOCD)
    print(f"argocd: down ({', '.join(stopped) or 'nothing was running'})")
    return 0


# ---------------------------------------------------------------- isolation


def isolated(command: list[str]) -> int:
    """Run a command in a new network namespace with loopback up and nothing else."""
    if not command:
        raise ClusterError("usage: cluster.py isolated -- COMMAND [ARG...]")
    script = 'ip link set lo up && exec "$@"'
    unshare = ["unshare", "--net", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        unshare.insert(1, "--map-root-user")
    return subprocess.call([*unshare, "sh", "-c", script, "isolated", *command])


def main(argv: list[str]) -> int:
    """Command line (see the module docstring)."""
    commands: dict[str, Callable[[], int]] = {
        "up": up,
        "down": down,
        "status": status,
        "env": lambda: print(f"export KUBECONFIG={kubeconfig()}") or 0,
        "argocd-up": argocd_up,
        "argocd-down": argocd_down,
    }
    if not argv or (argv[0] not in commands and argv[0] not in ("check", "isolated", "register")):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        if argv[0] == "check":
            return check(argv[1:])
        if argv[0] == "register":
            return register(argv[1:])
        if argv[0] == "isolated":
            return isolated(argv[2:] if argv[1:2] == ["--"] else argv[1:])
        return commands[argv[0]]()
    except ClusterError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
