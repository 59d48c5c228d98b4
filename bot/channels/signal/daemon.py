"""The signal-cli daemon over HTTP: JSON-RPC 2.0 calls at `/api/v1/rpc` (errors come as
JSON-RPC error objects with HTTP 200), and what its failures mean to the outbox."""

from __future__ import annotations

import base64
import itertools
import logging
from typing import Any

import httpx

from bot.channels.base import (
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)

log = logging.getLogger(__name__)


CALL_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # a send with attachments can take a while
KEEPALIVE_TIMEOUT = 60.0  # the daemon writes a keep-alive every 15 s: silence means it is gone
DEFAULT_RETRY_SECONDS = 60.0  # a rate limit without a time to wait

# signal-cli's own JSON-RPC error codes (SignalJsonRpcCommandHandler), and JSON-RPC's.
USER_ERROR, IO_ERROR, UNTRUSTED_KEY, RATE_LIMITED, CAPTCHA_REJECTED = -1, -3, -4, -5, -6
INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32600, -32602, -32603


class SignalError(Exception):
    """A JSON-RPC error object from the daemon."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} ({code})")
        self.code, self.message, self.data = code, message, data

    def results(self) -> list[dict[str, Any]]:
        """The per-recipient results of a send that failed for every recipient."""
        response = self.data.get("response") if isinstance(self.data, dict) else None
        results = response.get("results") if isinstance(response, dict) else None
        return [r for r in results or [] if isinstance(r, dict)]


class DaemonUnavailable(Exception):
    """The daemon could not be reached, or answered with something that is not JSON-RPC."""


class SignalDaemon:
    """A client of one daemon."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.AsyncClient(base_url=url, timeout=CALL_TIMEOUT)
        self._ids = itertools.count(1)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON-RPC call; its result, or SignalError with the daemon's error object."""
        request: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": next(self._ids)}
        if params:
            request["params"] = params
        try:
            response = await self.client.post("/api/v1/rpc", json=request)
        except httpx.HTTPError as error:
            raise DaemonUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise DaemonUnavailable(f"HTTP {response.status_code} from {self.url}")
        try:
            answer = response.json()
        except ValueError as error:
            raise DaemonUnavailable(f"not JSON from {self.url}") from error
        if not isinstance(answer, dict):
            raise DaemonUnavailable(f"not a JSON-RPC answer from {self.url}")
        failure = answer.get("error")
        if isinstance(failure, dict):
            raise SignalError(
                int(failure.get("code", INTERNAL_ERROR)),
                str(failure.get("message", "")),
                failure.get("data"),
            )
        return answer.get("result")

    async def check(self) -> bool:
        """The daemon answers (`GET /api/v1/check`)."""
        try:
            response = await self.client.get("/api/v1/check", timeout=5)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # --- inbound -------------------------------------------------------------------------


def delivery_error(error: SignalError, sent: int) -> Exception:
    results = error.results()
    kinds = {str(r.get("type")) for r in results}
    if error.code == RATE_LIMITED or "RATE_LIMIT_FAILURE" in kinds:
        waits = [r.get("retryAfterSeconds") for r in results]
        seconds = max((float(w) for w in waits if isinstance(w, int | float)), default=0.0)
        return RetryLater(seconds or DEFAULT_RETRY_SECONDS, parts_sent=sent)
    if "UNREGISTERED_FAILURE" in kinds:
        return Unreachable("not on Signal (any more)", parts_sent=sent)
    if error.code in (INVALID_REQUEST, INVALID_PARAMS) or (
        error.code == USER_ERROR and not results
    ):
        return Rejected(error.message, parts_sent=sent)
    if error.code == UNTRUSTED_KEY:
        log.error(
            "Signal: the safety number of a recipient changed; run the daemon with "
            "--trust-new-identities always, or trust it with signal-cli trust"
        )
    # A network failure, an untrusted key, a captcha to solve, a crash in the daemon: again.
    return TemporaryFailure(error.message, parts_sent=sent)


def data_uri(content: bytes, mime_type: str, name: str | None) -> str:
    filename = f";filename={name.replace(';', '_').replace(',', '_')}" if name else ""
    return f"data:{mime_type}{filename};base64,{base64.b64encode(content).decode('ascii')}"
