"""A fake Microsoft Entra token endpoint on loopback HTTPS, for the real azure-identity client.

It answers the OAuth2 v2.0 client-credentials grant the way Entra does for workload identity:
`POST /{tenant}/oauth2/v2.0/token` with a form carrying `client_assertion` (the federated token file's
content), `client_assertion_type` (jwt-bearer), `client_id`, `scope` and `grant_type=client_credentials`,
answered with `access_token`, `expires_in` and `token_type`. azure-identity insists on an https authority
(AZURE_AUTHORITY_HOST), so the server uses a throwaway CA and certificate made here; a child process trusts
it through SSL_CERT_FILE (aiohttp's default context is Python's default, which reads it), an in-process
client through `connection_verify`. The workload identity credential does no instance discovery (that is
MSAL's, which it does not use), so nothing but this server is ever contacted.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.entra import DATABASE_SCOPE

TENANT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "66666666-7777-8888-9999-000000000000"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("medqa test CA")).issuer_name(_name("medqa test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@dataclass
class FakeEntra:
    """The fake's state: which tokens it hands out next, and what it was asked."""

    assertion: str
    expires_in: int = 3600
    next_tokens: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        """The status and JSON body Entra would send for this token request."""
        expected = {
            "client_assertion": self.assertion, "client_assertion_type": JWT_BEARER, "client_id": CLIENT_ID,
            "grant_type": "client_credentials", "scope": DATABASE_SCOPE,
        }  # fmt: skip
        if path != f"/{TENANT_ID}/oauth2/v2.0/token":
            return 404, {"error": "invalid_request", "error_description": "unknown tenant or path"}
        wrong = sorted(key for key, value in expected.items() if form.get(key) != value)
        with self.lock:
            if wrong:
                self.rejected += 1
                return 400, {"error": "invalid_client", "error_description": f"bad {', '.join(wrong)}"}
            token = self.next_tokens.pop(0) if self.next_tokens else f"entra-token-{len(self.issued) + 1}"
            self.issued.append(token)
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        status, body = self.server.fake.answer(self.path, form)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: object) -> None:
        """Quiet: the test output is for the tests."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeEntra, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.socket = context.wrap_socket(self.socket, server_side=True)


@dataclass
class EntraHandle:
    """A running fake: its authority URL, the files a pod would have, and its state."""

    fake: FakeEntra
    authority: str
    ca_file: Path
    token_file: Path
    server: _Server

    def env(self) -> dict[str, str]:
        """The variables the workload identity webhook injects, plus the trust for the throwaway CA."""
        return {
            "AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT_ID, "AZURE_AUTHORITY_HOST": self.authority,
            "AZURE_FEDERATED_TOKEN_FILE": str(self.token_file), "SSL_CERT_FILE": str(self.ca_file),
            "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
        }  # fmt: skip

    def stop(self) -> None:
        """Take the endpoint down: connections to its port are refused from now on."""
        self.server.shutdown()
        self.server.server_close()


def start_fake_entra(directory: Path, expires_in: int = 3600) -> EntraHandle:
    """Start the fake on a free loopback port with its own CA and a federated token file in `directory`."""
    ca, cert, key = make_certificates(directory)
    token_file = directory / "azure-identity-token"
    assertion = "eyJhbGciOiJSUzI1NiJ9.federated-service-account-token.signature"
    token_file.write_text(assertion)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = FakeEntra(assertion=assertion, expires_in=expires_in)
    server = _Server(fake, context)
    threading.Thread(target=server.serve_forever, name="fake-entra", daemon=True).start()
    authority = f"https://127.0.0.1:{server.server_address[1]}"
    return EntraHandle(fake, authority, ca, token_file, server)


@pytest.fixture
def fake_entra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntraHandle]:
    """A fresh fake Entra token endpoint; stopped afterwards (stopping it early is how a test takes it down)."""
    handle = start_fake_entra(tmp_path_factory.mktemp("entra"))
    yield handle
    if handle.server.socket.fileno() != -1:
        handle.stop()


ROLE = "id-medqa-test-weu"


async def set_role_password(admin_url: str, password: str, database: str | None = None) -> str:
    """Make the identity's role (the password is the token Entra issues), and optionally its database.

    Returns the URL the service would be configured with: the identity as user, no password.
    """
    import asyncpg

    if not password.replace("-", "").isalnum():
        raise ValueError("the fake issues only letters, digits and dashes")
    admin = await asyncpg.connect(admin_url)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", ROLE)
        verb = "ALTER" if exists else "CREATE"
        await admin.execute(f"{verb} ROLE \"{ROLE}\" LOGIN PASSWORD '{password}'")
        if database and not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE {database} OWNER "{ROLE}"')
    finally:
        await admin.close()
    parts = urllib.parse.urlsplit(admin_url)
    return f"postgres://{ROLE}@{parts.hostname}:{parts.port}/{database or parts.path.lstrip('/')}"
