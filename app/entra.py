"""Entra workload-identity login to PostgreSQL: the token asyncpg uses as password (its settings: app.settings).

On AKS the workload identity webhook injects AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE
and AZURE_AUTHORITY_HOST into pods labelled `azure.workload.identity/use: "true"`. The service trades the
federated token for an Entra access token (scope below) and asyncpg sends it as the password of every new
connection. azure-identity caches the token and refreshes it 300 s before it expires (retrying at most every
30 s, keeping the old token while it is valid); on top of that, when the token it returns has less than
`min_lifetime_s` left, this module asks Entra for a fresh one, so a connection does not log in with a token
that expires during the handshake.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

# The login's settings live with the other settings (app.settings sits below everything); kept importable here.
from app.settings import WEBHOOK_VARIABLES, EntraLogin

__all__ = ["DATABASE_SCOPE", "WEBHOOK_VARIABLES", "DatabaseTokenUnavailable", "EntraLogin", "EntraTokenProvider"]

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncSupportsTokenInfo
    from azure.identity.aio import WorkloadIdentityCredential

DATABASE_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"
MIN_TOKEN_LIFETIME_S = 30.0
# Bounded so a dead token endpoint fails inside the readiness probe's and the request's database deadline.
TRANSPORT_OPTIONS: dict[str, Any] = {
    "retry_total": 2,
    "retry_backoff_factor": 0.2,
    "connection_timeout": 2,
    "read_timeout": 5,
}


class DatabaseTokenUnavailable(ConnectionError):
    """No Entra access token for the database: the token endpoint failed or refused the federated token."""


class EntraTokenProvider:
    """The asyncpg password: an async callable returning a current Entra access token for the database.

    The credential (an aiohttp session inside) belongs to the event loop that first asks; a call from any
    other loop uses a short-lived credential of its own, since an aiohttp session cannot cross loops.
    """

    def __init__(self, login: EntraLogin, *, min_lifetime_s: float = MIN_TOKEN_LIFETIME_S, **transport: Any) -> None:
        self._login = login
        self._min_lifetime_s = min_lifetime_s
        self._transport = {**TRANSPORT_OPTIONS, **transport}
        self._credential: WorkloadIdentityCredential | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        # Import now: the first token request runs under the pool's start deadline, and these imports
        # (azure-identity, msal, aiohttp) take seconds on a busy node and would block the event loop.
        import azure.identity.aio  # noqa: F401
        from azure.core.pipeline.transport import AioHttpTransport  # noqa: F401

    def _new_credential(self) -> WorkloadIdentityCredential:
        from azure.identity.aio import WorkloadIdentityCredential

        login = self._login
        extra = {"authority": login.authority_host} if login.authority_host else {}
        return WorkloadIdentityCredential(
            tenant_id=login.tenant_id,
            client_id=login.client_id,
            token_file_path=login.token_file,
            **extra,
            **self._transport,
        )

    async def __call__(self) -> str:
        """A current token (a fresh one when the cached one is near expiry); DatabaseTokenUnavailable if none."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                return await self._one_off()
            self._credential, self._loop, self._lock = None, loop, asyncio.Lock()
        # One caller at a time: a cached token is a dictionary look-up, and no caller may close the
        # credential while another's request is still using it.
        async with self._lock:
            credential = self._credential = self._credential or self._new_credential()
            token, expires_on = await _fetch(credential)
            if expires_on - time.time() < self._min_lifetime_s:
                # azure-identity hands out its cached token until it expires when a refresh just failed or
                # was tried less than 30 s ago; a fresh credential (an empty cache) forces a real request.
                await credential.close()
                credential = self._credential = self._new_credential()
                token, _ = await _fetch(credential)
        return token

    async def _one_off(self) -> str:
        async with self._new_credential() as credential:
            token, _ = await _fetch(credential)
        return token

    async def aclose(self) -> None:
        """Close the credential's HTTP session (call from the loop that used it)."""
        if self._credential is not None:
            await self._credential.close()
            self._credential, self._loop = None, None


async def _fetch(credential: AsyncSupportsTokenInfo) -> tuple[str, float]:
    try:
        info = await credential.get_token_info(DATABASE_SCOPE)
    except Exception as exc:  # noqa: BLE001 (transport, refusal or token file: all mean "no token"; type only)
        raise DatabaseTokenUnavailable(f"no Entra token for the database ({type(exc).__name__})") from None
    return info.token, float(info.expires_on)
