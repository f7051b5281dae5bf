"""Server-side HTTP Digest (RFC 7616, qop=auth) and Basic authentication.

Strict on purpose: nonces expire and are re-challenged with `stale=TRUE`, the nonce count
must grow, `uri` must be the request-target as sent, and `opaque` must come back unchanged.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
import hashlib
import hmac
import re
import secrets
import time

from .const import MAX_NONCES, NONCE_BYTES, NONCE_LIFETIME


class AuthScheme(StrEnum):
    """What a device accepts."""

    DIGEST = "digest"
    BASIC = "basic"
    NONE = "none"


class DigestAlgorithm(StrEnum):
    """Digest hash algorithms a device may require."""

    MD5 = "MD5"
    SHA256 = "SHA-256"
    MD5_SESS = "MD5-sess"  # RFC 7616 session variants: HA1 also covers nonce and cnonce
    SHA256_SESS = "SHA-256-sess"


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_HASHES: dict[DigestAlgorithm, Callable[[bytes], str]] = {
    DigestAlgorithm.MD5: _md5,
    DigestAlgorithm.SHA256: _sha256,
    DigestAlgorithm.MD5_SESS: _md5,
    DigestAlgorithm.SHA256_SESS: _sha256,
}

_PARAM = re.compile(
    r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:,|$)'
)
_REQUIRED = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """A device's credentials and how it checks them."""

    scheme: AuthScheme = AuthScheme.DIGEST
    username: str = "admin"
    password: str = field(default="", repr=False)
    realm: str = "IP Camera"
    algorithm: DigestAlgorithm = DigestAlgorithm.MD5
    nonce_lifetime: float = NONCE_LIFETIME


@dataclass(frozen=True, slots=True)
class AuthOutcome:
    """The verdict on one request; `challenge` is the WWW-Authenticate value on failure."""

    ok: bool
    reason: str
    challenge: str | None = None


@dataclass(slots=True)
class _Nonce:
    issued_at: float
    last_nc: int = 0
    expired: bool = False


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII text."""
    return hmac.compare_digest(given.encode(), expected.encode())


def parse_auth_params(text: str) -> dict[str, str]:
    """Parse `name=value, name="quoted"` pairs of an Authorization header."""
    params: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _PARAM.match(text, position)
        if match is None or match.end() == position:
            raise ValueError("malformed authorization parameters")
        name, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[name] = value
        position = match.end()
    return params


def digest_response(
    algorithm: DigestAlgorithm, params: dict[str, str], password: str, method: str
) -> str:
    """The `response` value a client with `password` must send, given its other params."""
    digest = _HASHES[algorithm]
    ha1 = digest(f"{params['username']}:{params['realm']}:{password}".encode())
    if algorithm.value.endswith("-sess"):
        ha1 = digest(f"{ha1}:{params['nonce']}:{params['cnonce']}".encode())
    ha2 = digest(f"{method}:{params['uri']}".encode())
    data = f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{params['qop']}:{ha2}"
    return digest(data.encode())


class Authenticator:
    """Checks the Authorization header of each request against one policy."""

    def __init__(self, policy: AuthPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()
        self.opaque = secrets.token_hex(8)
        self.counts: dict[str, int] = {}

    def check(self, method: str, target: str, authorization: str | None) -> AuthOutcome:
        """Accept or refuse one request."""
        if self.policy.scheme is AuthScheme.NONE:
            return self._count(AuthOutcome(ok=True, reason="open"))
        if authorization is None:
            return self._refuse("missing")
        scheme, _, rest = authorization.strip().partition(" ")
        if self.policy.scheme is AuthScheme.BASIC:
            if scheme.lower() != "basic":
                return self._refuse("wrong-scheme")
            return self._check_basic(rest.strip())
        if scheme.lower() != "digest":
            return self._refuse("wrong-scheme")
        return self._check_digest(method, target, rest)

    def challenge(self, *, stale: bool = False) -> str:
        """A fresh WWW-Authenticate value (a new nonce for Digest)."""
        if self.policy.scheme is AuthScheme.BASIC:
            return f'Basic realm="{self.policy.realm}"'
        nonce = secrets.token_hex(NONCE_BYTES)
        self._nonces[nonce] = _Nonce(self._clock())
        while len(self._nonces) > MAX_NONCES:
            self._nonces.popitem(last=False)
        parts = [
            'qop="auth"',
            f'realm="{self.policy.realm}"',
            f'nonce="{nonce}"',
            f'stale="{"TRUE" if stale else "FALSE"}"',
            f'opaque="{self.opaque}"',
        ]
        # MD5 is the default: like the cameras, only name the algorithm when it is not.
        if self.policy.algorithm is not DigestAlgorithm.MD5:
            parts.append(f"algorithm={self.policy.algorithm.value}")
        return "Digest " + ", ".join(parts)

    def expire_nonces(self) -> None:
        """Make every nonce issued so far stale (the next use is re-challenged)."""
        for state in self._nonces.values():
            state.expired = True

    def _check_basic(self, token: str) -> AuthOutcome:
        try:
            decoded = base64.b64decode(token, validate=True).decode()
        except binascii.Error, UnicodeDecodeError:
            return self._refuse("malformed")
        username, colon, password = decoded.partition(":")
        if colon and self._credentials_match(username, password):
            return self._count(AuthOutcome(ok=True, reason="basic"))
        return self._refuse("bad-credentials")

    def _check_digest(self, method: str, target: str, text: str) -> AuthOutcome:
        try:
            params = parse_auth_params(text)
        except ValueError:
            return self._refuse("malformed")
        if any(name not in params for name in _REQUIRED):
            return self._refuse("incomplete")
        algorithm = params.get("algorithm", DigestAlgorithm.MD5.value)
        if algorithm.upper() != self.policy.algorithm.value.upper():
            return self._refuse("wrong-algorithm")
        if params["qop"] != "auth":
            return self._refuse("wrong-qop")
        if params["realm"] != self.policy.realm:
            return self._refuse("wrong-realm")
        if params["uri"] != target:
            return self._refuse("uri-mismatch")
        if params.get("opaque") != self.opaque:
            return self._refuse("opaque-mismatch")
        if not re.fullmatch(r"[0-9a-fA-F]{8}", params["nc"]):
            return self._refuse("malformed-nc")
        expected = digest_response(self.policy.algorithm, params, self.policy.password, method)
        if not (
            _same(params["username"], self.policy.username)
            and _same(params["response"].lower(), expected)
        ):
            return self._refuse("bad-credentials")
        state = self._nonces.get(params["nonce"])
        if (
            state is None
            or state.expired
            or self._clock() - state.issued_at > self.policy.nonce_lifetime
        ):
            return self._refuse("stale-nonce", stale=True)
        nc = int(params["nc"], 16)
        if nc <= state.last_nc:
            return self._refuse("replayed-nc")
        state.last_nc = nc
        return self._count(AuthOutcome(ok=True, reason="digest"))

    def _credentials_match(self, username: str, password: str) -> bool:
        return _same(username, self.policy.username) and _same(password, self.policy.password)

    def refuse_missing(self) -> AuthOutcome:
        """Challenge (and count) a request a handler found needs credentials it did not bring."""
        return self._refuse("missing")

    def _refuse(self, reason: str, *, stale: bool = False) -> AuthOutcome:
        return self._count(
            AuthOutcome(ok=False, reason=reason, challenge=self.challenge(stale=stale))
        )

    def _count(self, outcome: AuthOutcome) -> AuthOutcome:
        self.counts[outcome.reason] = self.counts.get(outcome.reason, 0) + 1
        return outcome
