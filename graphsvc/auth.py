"""Who is calling the API: API keys, the roles they grant, and the ASGI guard that checks them.

Keys are configured by ``GRAPHSVC_API_KEYS``, a JSON object from key to grant::

    {"<key>": {"role": "REP", "user_id": "usr-0001", "name": "ann"}}

``role`` is ADMIN, STRATEGIST, REP or INTEGRATION; ``user_id`` is required for a REP (the user
whose accounts the key may see) and optional otherwise; ``name`` labels the key in logs (a key is
never logged). Keys must be at least 16 characters. Clients send ``Authorization: Bearer <key>``.

With no keys configured the API is open, every caller acting as ADMIN, and only requests arriving
on a loopback address are served: :func:`check_exposure` refuses such a server on any other host,
and :class:`ApiKeyGuard` refuses requests naming another ``Host`` or, when they may change data,
coming from another site's page (``Origin``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import math
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from graphsvc.errors import InvalidInput
from graphsvc.ratelimit import TokenBuckets

__all__ = [
    "MIN_KEY_LENGTH",
    "OPEN_CALLER",
    "UNAUTHENTICATED_MESSAGE",
    "WWW_AUTHENTICATE",
    "ApiKeyGuard",
    "ApiKeys",
    "Caller",
    "Role",
    "check_exposure",
    "is_loopback",
]

log = logging.getLogger(__name__)

MIN_KEY_LENGTH = 16

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Role(StrEnum):
    """What a key may do (SPEC §12)."""

    ADMIN = "ADMIN"  # everything
    STRATEGIST = "STRATEGIST"  # read everything, choose target accounts and tiers
    REP = "REP"  # read the accounts the bound user owns, and what hangs off them
    INTEGRATION = "INTEGRATION"  # import records, nothing else


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one request.

    Parameters
    ----------
    role
        What the caller may do.
    user_id
        The User the caller acts as; a REP sees only the accounts this user owns.
    name
        A label for logs, never the key itself.
    """

    role: Role
    user_id: str | None = None
    name: str = "anonymous"

    @property
    def author(self) -> str:
        """Who a change this caller makes is recorded as made by: its user's id, else its key's name."""
        return self.user_id or self.name

    @property
    def owner_scope(self) -> str | None:
        """The owner every account this caller sees must have; None when it sees all accounts."""
        return self.user_id if self.role is Role.REP else None

    def sees_account(self, owner_id: str | None) -> bool:
        """True when an account owned by ``owner_id`` is visible to this caller."""
        scope = self.owner_scope
        return self.role is not Role.INTEGRATION and (scope is None or owner_id == scope)


OPEN_CALLER = Caller(Role.ADMIN, name="open-loopback")


class _Grant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    user_id: str | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _rep_has_user(self) -> _Grant:
        if self.role is Role.REP and self.user_id is None:
            raise ValueError("a REP key needs a user_id (the user whose accounts it sees)")
        return self


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class ApiKeys:
    """The configured keys, held as SHA-256 digests and compared in constant time."""

    def __init__(self, grants: dict[str, Caller]) -> None:
        self._grants = [(_digest(key), caller) for key, caller in grants.items()]

    @classmethod
    def parse(cls, setting: SecretStr) -> ApiKeys:
        """Read ``GRAPHSVC_API_KEYS``; an empty setting means no keys (open mode).

        Raises
        ------
        InvalidInput
            The setting is not a JSON object of valid grants; the message names the key by its
            position, never by its value.
        """
        text = setting.get_secret_value().strip()
        if not text:
            return cls({})
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"GRAPHSVC_API_KEYS is not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(raw, dict):
            raise InvalidInput('GRAPHSVC_API_KEYS must be a JSON object: {"<key>": {"role": "ADMIN"}, ...}')
        grants: dict[str, Caller] = {}
        for position, (key, value) in enumerate(raw.items(), start=1):
            if len(key) < MIN_KEY_LENGTH:
                raise InvalidInput(f"GRAPHSVC_API_KEYS: key #{position} is shorter than {MIN_KEY_LENGTH} characters")
            try:
                grant = _Grant.model_validate(value)
            except ValidationError as exc:
                problem = exc.errors(include_url=False, include_input=False)[0]
                where = ".".join(str(part) for part in problem["loc"])
                message = problem["msg"].removeprefix("Value error, ")
                raise InvalidInput(
                    f"GRAPHSVC_API_KEYS: key #{position}: {where + ': ' if where else ''}{message}"
                ) from None
            grants[key] = Caller(grant.role, grant.user_id, grant.name or f"key-{position}")
        return cls(grants)

    def __bool__(self) -> bool:
        return bool(self._grants)

    def authenticate_connection(self, params: object) -> Caller | None:
        """The caller a WebSocket's ``connection_init`` payload names, or None.

        The payload carries the same value as the header, ``{"Authorization": "Bearer <key>"}``
        (graphql-ws clients send it as ``connectionParams``); the name is matched case-insensitively.
        """
        if not isinstance(params, dict):
            return None
        values = [value for name, value in params.items() if isinstance(name, str) and name.lower() == "authorization"]
        return self.authenticate(values[0]) if len(values) == 1 and isinstance(values[0], str) else None

    def authenticate(self, authorization: str | None) -> Caller | None:
        """The caller an ``Authorization: Bearer <key>`` header names, or None."""
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        presented = _digest(key.strip())
        found = None
        # Every digest is compared, so the time taken says nothing about which key came close.
        for digest, caller in self._grants:
            if hmac.compare_digest(digest, presented):
                found = caller
        return found


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(keys: ApiKeys, host: str) -> None:
    """Refuse to serve an open API (no keys) on a non-loopback host; warn when serving it open.

    Raises
    ------
    InvalidInput
        No API keys are configured and ``host`` is not a loopback address.
    """
    if keys:
        return
    if not is_loopback(host):
        raise InvalidInput(
            f"refusing to serve the API on {host} without API keys: set GRAPHSVC_API_KEYS (see the README) "
            "or listen on 127.0.0.1"
        )
    log.warning("no API keys configured (GRAPHSVC_API_KEYS): the API is open, every caller is ADMIN, loopback only")


class ApiKeyGuard:
    """ASGI middleware: authenticates every request under ``path``, records its :class:`Caller` and
    applies the rate limits; in open mode it also guards every path against DNS rebinding and
    cross-site requests.

    The caller lands in ``scope["state"]["caller"]`` (``request.state.caller``). A request without
    a valid key gets 401, except a GET without an ``Authorization`` header: it reaches the GraphQL
    router with no caller, which serves it the GraphiQL page (no data) and refuses (401) anything
    else, deciding on the request as strawberry parses it. A WebSocket without an ``Authorization``
    header passes unauthenticated too, because browsers cannot set headers on one: its key travels
    in the ``connection_init`` payload, and the GraphQL router refuses the connection (4403) before
    any operation unless that key is valid (``authenticate_connection``).

    In open mode (no keys) requests are served as ADMIN, but only when they arrive on a loopback
    address, name a loopback ``Host`` (a page on another site whose name was rebound to 127.0.0.1
    sends its own name), and, when they may change state (not GET, HEAD or OPTIONS, or a WebSocket),
    come from the page's own origin or one of ``allowed_origins``.

    Parameters
    ----------
    app
        The wrapped ASGI application.
    keys
        The configured keys.
    rate_limits
        One token bucket per key (in open mode, per client address); None for no limit.
    allowed_origins
        Origins (``GRAPHSVC_CORS_ORIGINS``) whose pages may call the API.
    path
        The protected path prefix.
    """

    def __init__(
        self,
        app: App,
        keys: ApiKeys,
        rate_limits: TokenBuckets | None = None,
        allowed_origins: frozenset[str] = frozenset(),
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.keys = keys
        self.rate_limits = rate_limits
        self.allowed_origins = allowed_origins
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        caller = self._caller(scope)
        if caller is OPEN_CALLER:
            problem = _open_mode_problem(scope, self.allowed_origins)
            if problem is not None:
                log.info("refused %s %s: %s", scope.get("method", "WS"), scope["path"], problem)
                await _refuse(scope, send, 403, "FORBIDDEN", problem)
                return
        if not scope["path"].startswith(self.path):
            await self.app(scope, receive, send)
            return
        if caller is None and not _may_pass_keyless(scope):
            client = (scope.get("client") or ("?",))[0]
            log.info(
                "refused %s %s from %s: missing or unknown API key", scope.get("method", "WS"), scope["path"], client
            )
            await _refuse(scope, send, 401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE)
            return
        if caller is not None and self.rate_limits is not None:
            # Per key; in open mode every caller is the same ADMIN, so per client address.
            wait = self.rate_limits.take(caller if self.keys else ("address", (scope.get("client") or ("?",))[0]))
            if wait:
                log.info("refused %s %s from %s: rate limit", scope.get("method", "WS"), scope["path"], caller.name)
                retry_after = str(math.ceil(wait))
                message = (
                    f"rate limit exceeded: {self.rate_limits.rate:g} requests per second "
                    f"(bursts of {self.rate_limits.burst}) per {'API key' if self.keys else 'client'}; "
                    f"retry in {retry_after} s"
                )
                await _refuse(scope, send, 429, "RATE_LIMITED", message, [(b"retry-after", retry_after.encode())])
                return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    def _caller(self, scope: Scope) -> Caller | None:
        if not self.keys:
            server = scope.get("server")
            # A Unix socket (no server address) is local too.
            return OPEN_CALLER if server is None or is_loopback(server[0]) else None
        return self.keys.authenticate(_header(scope, b"authorization"))


UNAUTHENTICATED_MESSAGE = "missing or unknown API key"
WWW_AUTHENTICATE = 'Bearer realm="graphsvc"'


def _header(scope: Scope, name: bytes) -> str | None:
    """The last value of header ``name`` (lower case), or None."""
    found = None
    for header, value in scope.get("headers", ()):
        if header == name:
            found = value.decode("latin-1")
    return found


def _host_name(host: str) -> str | None:
    """The name in a ``Host`` value (``[::1]:8000`` -> ``::1``), or None when it is malformed."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


def _open_mode_problem(scope: Scope, allowed_origins: frozenset[str]) -> str | None:
    """Why an open (keyless) server must refuse this request, or None when it may serve it."""
    host = _header(scope, b"host")
    if host is not None and not is_loopback(_host_name(host)):
        return f"without API keys only loopback host names are served (127.0.0.1, localhost, [::1]), not {host!r}"
    origin = _header(scope, b"origin")
    changes_state = scope["type"] == "websocket" or scope.get("method") not in ("GET", "HEAD", "OPTIONS")
    if changes_state and origin is not None and origin not in allowed_origins:
        try:
            same_origin = host is not None and urlsplit(origin).netloc == host
        except ValueError:
            same_origin = False
        if not same_origin:
            return f"without API keys requests that may change data are refused from another origin ({origin!r})"
    return None


def _may_pass_keyless(scope: Scope) -> bool:
    if scope["type"] == "websocket":
        return _header(scope, b"authorization") is None
    return scope.get("method") == "GET" and _header(scope, b"authorization") is None


async def _refuse(
    scope: Scope, send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4000 + status})
        return
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    extra = [(b"www-authenticate", WWW_AUTHENTICATE.encode())] if status == 401 else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
