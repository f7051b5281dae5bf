"""HTTP authentication for raw requests: challenge parsing, Digest (RFC 7616) and Basic.

Digest supports MD5 and SHA-256 (and their -sess variants) with qop=auth or no qop; the
nonce count grows per nonce, as strict servers demand. Basic is used only when the server
offers no Digest challenge this module can answer.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import hashlib
import re
import secrets

from .exceptions import RawHttpAuthenticationError

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PARAM = re.compile(r"""([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^\s,"]+)""")
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))")
_ESCAPED = re.compile(r"\\(.)")

_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}
# Preference when a server offers several Digest challenges: strongest first.
_ALGORITHM_RANK = ("SHA-256", "SHA-256-SESS", "MD5", "MD5-SESS")


@dataclass(frozen=True, slots=True)
class AuthChallenge:
    """One challenge of a WWW-Authenticate header: scheme (lower case) and parameters."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)
    token68: str | None = None

    def param(self, name: str) -> str | None:
        """A parameter by case-insensitive name."""
        return self.params.get(name.lower())

    @property
    def algorithm(self) -> str:
        """The Digest algorithm in upper case; MD5 when the server names none."""
        return (self.param("algorithm") or "MD5").upper()

    @property
    def qop_options(self) -> tuple[str, ...]:
        """The qop values the server offers (empty for an RFC 2069 challenge)."""
        raw = self.param("qop") or ""
        return tuple(option.strip().lower() for option in raw.split(",") if option.strip())

    @property
    def stale(self) -> bool:
        """True when the server says only the nonce was old, not the credentials."""
        return (self.param("stale") or "").lower() == "true"

    @property
    def usable(self) -> bool:
        """Whether this module can answer the challenge."""
        if self.scheme == "basic":
            return True
        if self.scheme != "digest" or not self.param("nonce") or self.param("realm") is None:
            return False
        if self.algorithm.removesuffix("-SESS") not in _HASHES:
            return False
        # auth-int would need the whole body up front; a streamed body never has one.
        return not self.qop_options or "auth" in self.qop_options


def parse_www_authenticate(values: Iterable[str]) -> list[AuthChallenge]:
    """Parse WWW-Authenticate header values into challenges, in order.

    One value may hold several challenges (`Digest realm="a", nonce="b", Basic realm="c"`).
    """
    challenges: list[AuthChallenge] = []
    for text in values:
        challenges.extend(_parse_one_header(text))
    return challenges


def _parse_one_header(text: str) -> list[AuthChallenge]:
    # (scheme, params, token68) per challenge; params fill in as they are read.
    found: list[tuple[str, dict[str, str], str | None]] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t,":
            position += 1
        if position >= len(text):
            return [AuthChallenge(scheme, params, blob) for scheme, params, blob in found]
        if found and (param := _PARAM.match(text, position)):
            value = param.group(2)
            if value.startswith('"'):
                value = _ESCAPED.sub(r"\1", value[1:-1])
            found[-1][1][param.group(1).lower()] = value
            position = param.end()
            continue
        name = _TOKEN.match(text, position)
        if name is None:
            raise RawHttpAuthenticationError(
                "The device sent a malformed WWW-Authenticate header; check that the "
                "address really points at the device"
            )
        position = name.end()
        token68: str | None = None
        after = position + len(text[position:]) - len(text[position:].lstrip(" \t"))
        blob = _TOKEN68.match(text, after) if after > position else None
        if blob is not None and not _PARAM.match(text, after):
            token68, position = blob.group(0), blob.end()
        found.append((name.group(0).lower(), {}, token68))


def select_challenge(challenges: Iterable[AuthChallenge]) -> AuthChallenge | None:
    """The challenge to answer: the strongest usable Digest, else Basic, else None."""
    usable = [challenge for challenge in challenges if challenge.usable]
    digests = [challenge for challenge in usable if challenge.scheme == "digest"]
    if digests:
        return min(digests, key=lambda challenge: _ALGORITHM_RANK.index(challenge.algorithm))
    return next((challenge for challenge in usable if challenge.scheme == "basic"), None)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def basic_authorization(username: str, password: str) -> str:
    """The Authorization value for Basic (credentials encoded as UTF-8)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def digest_authorization(
    challenge: AuthChallenge,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    nonce_count: int = 1,
    cnonce: str | None = None,
) -> str:
    """The Authorization value answering a Digest challenge (RFC 7616 section 3.4).

    `uri` is the request-target exactly as sent (path and query; never scheme or host).
    """
    if not challenge.usable or challenge.scheme != "digest":
        raise RawHttpAuthenticationError(
            f"The device asks for an authentication method Talkback cannot answer "
            f"({challenge.scheme} {challenge.algorithm}); enable Digest (MD5 or SHA-256) on it"
        )
    algorithm = challenge.algorithm
    digest = _HASHES[algorithm.removesuffix("-SESS")]
    realm = challenge.param("realm") or ""
    nonce = challenge.param("nonce") or ""
    cnonce = cnonce or secrets.token_hex(8)
    nc = f"{nonce_count:08x}"
    ha1 = digest(f"{username}:{realm}:{password}".encode())
    if algorithm.endswith("-SESS"):
        ha1 = digest(f"{ha1}:{nonce}:{cnonce}".encode())
    ha2 = digest(f"{method.upper()}:{uri}".encode())
    fields = [
        f"username={_quote(username)}",
        f"realm={_quote(realm)}",
        f"nonce={_quote(nonce)}",
        f"uri={_quote(uri)}",
    ]
    if challenge.qop_options:
        response = digest(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode())
        fields += [f"response={_quote(response)}", "qop=auth", f"nc={nc}"]
        fields.append(f"cnonce={_quote(cnonce)}")
    else:
        fields.append(f"response={_quote(digest(f'{ha1}:{nonce}:{ha2}'.encode()))}")
    fields.append(f"algorithm={challenge.param('algorithm') or 'MD5'}")
    if (opaque := challenge.param("opaque")) is not None:
        fields.append(f"opaque={_quote(opaque)}")
    return "Digest " + ", ".join(fields)


class HttpAuth:
    """Credentials plus the server's current challenge; answers it for each request.

    Keep one per device and connection family: the Digest nonce count must keep growing for
    as long as the same nonce is in use.
    """

    __slots__ = ("_challenge", "_nonce_count", "_password", "username")

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self._password = password
        self._challenge: AuthChallenge | None = None
        self._nonce_count = 0

    def __repr__(self) -> str:
        scheme = self._challenge.scheme if self._challenge else None
        return f"HttpAuth(username={self.username!r}, scheme={scheme!r})"

    @property
    def challenge(self) -> AuthChallenge | None:
        """The challenge being answered, or None before the server sent one."""
        return self._challenge

    def update(self, challenges: Iterable[AuthChallenge]) -> AuthChallenge:
        """Adopt the best challenge of a 401 response; raise when none is usable."""
        offered = list(challenges)
        chosen = select_challenge(offered)
        if chosen is None:
            schemes = ", ".join(sorted({c.scheme for c in offered})) or "none"
            raise RawHttpAuthenticationError(
                f"The device offers no supported authentication (offered: {schemes}); "
                "enable Digest authentication on it"
            )
        if self._challenge is None or chosen.param("nonce") != self._challenge.param("nonce"):
            self._nonce_count = 0
        self._challenge = chosen
        return chosen

    def authorization(self, method: str, uri: str) -> str | None:
        """The Authorization value for one request, or None before any challenge."""
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return basic_authorization(self.username, self._password)
        self._nonce_count += 1
        return digest_authorization(
            challenge,
            username=self.username,
            password=self._password,
            method=method,
            uri=uri,
            nonce_count=self._nonce_count,
        )
