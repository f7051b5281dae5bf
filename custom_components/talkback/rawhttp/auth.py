"""HTTP authentication: challenge parsing, Digest (RFC 7616), Basic, and the policy between them.

Digest supports MD5 and SHA-256 (and their -sess variants) with qop=auth or no qop; the
nonce count grows per nonce, as strict servers demand.

The policy (one per device, shared by every request and stream to it, see `HttpAuth`):
Digest whenever the device offers it; Basic only when it offers nothing else, only in answer
to the challenge of the request at hand (never sent ahead, so every use re-examines what the
device offers), never over plain HTTP unless allowed, and never again once Digest has worked.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
import copy
from dataclasses import dataclass, field
import hashlib
import re
import secrets

from .exceptions import RawHttpAuthenticationError, RawHttpBasicRefusedError

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
    """The challenge to answer: the strongest usable Digest; Basic only when no Digest is offered.

    A Digest this module cannot answer (an unknown algorithm, auth-int only) beside Basic is
    not a reason to send the password in clear: that gives None, not Basic.
    """
    offered = list(challenges)
    digests = [c for c in offered if c.scheme == "digest" and c.usable]
    if digests:
        return min(digests, key=lambda challenge: _ALGORITHM_RANK.index(challenge.algorithm))
    if any(challenge.scheme == "digest" for challenge in offered):
        return None
    return next((c for c in offered if c.scheme == "basic" and c.usable), None)


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


class _Policy:
    """What every `HttpAuth` of one device shares: credentials, the Basic rules, what worked."""

    __slots__ = (
        "allow_basic_over_http",
        "basic_worked",
        "digest_worked",
        "password",
        "secure",
        "username",
    )

    def __init__(
        self, username: str, password: str, *, allow_basic_over_http: bool, secure: bool
    ) -> None:
        self.username = username
        self.password = password
        self.allow_basic_over_http = allow_basic_over_http
        self.secure = secure
        self.digest_worked = False
        self.basic_worked = False

    def choose(self, offered: list[AuthChallenge]) -> AuthChallenge:
        chosen = select_challenge(offered)
        if chosen is None:
            if any(challenge.scheme == "digest" for challenge in offered):
                algorithms = ", ".join(
                    sorted({c.algorithm for c in offered if c.scheme == "digest"})
                )
                raise RawHttpAuthenticationError(
                    f"The device asks for Digest authentication Talkback cannot answer "
                    f"({algorithms}); enable Digest with MD5 or SHA-256 on it"
                )
            schemes = ", ".join(sorted({c.scheme for c in offered})) or "none"
            raise RawHttpAuthenticationError(
                f"The device offers no supported authentication (offered: {schemes}); "
                "enable Digest authentication on it"
            )
        if chosen.scheme != "basic":
            return chosen
        if self.digest_worked:
            raise RawHttpBasicRefusedError(
                "The device accepted Digest authentication before and now offers only Basic; "
                "Talkback does not send the password in clear to it. Check the device's "
                "authentication settings (and that the address still points at it)"
            )
        if not self.secure and not self.allow_basic_over_http:
            raise RawHttpBasicRefusedError(
                "The device offers only Basic authentication, which would send the password "
                "unencrypted over HTTP; enable Digest on the device, connect with HTTPS, or "
                "allow Basic authentication over HTTP for it"
            )
        return chosen


class HttpAuth:
    """Credentials plus the server's current challenge; answers it for each request.

    Keep one per device and connection family: the Digest nonce count must keep growing for
    as long as the same nonce is in use. `sharing()` gives another family (e.g. the talk
    socket beside ordinary requests) its own nonce state under the same policy.

    `allow_basic_over_http`: whether a device offering only Basic may get the password over
    plain HTTP (`secure` says the connection is HTTPS, where Basic is always allowed).
    """

    __slots__ = ("_basic_due", "_challenge", "_nonce_count", "_policy")

    def __init__(
        self,
        username: str,
        password: str,
        *,
        allow_basic_over_http: bool = True,
        secure: bool = False,
    ) -> None:
        self._policy = _Policy(
            username, password, allow_basic_over_http=allow_basic_over_http, secure=secure
        )
        self._challenge: AuthChallenge | None = None
        self._nonce_count = 0
        self._basic_due = False

    def __repr__(self) -> str:
        scheme = self._challenge.scheme if self._challenge else None
        return f"HttpAuth(username={self.username!r}, scheme={scheme!r})"

    @property
    def username(self) -> str:
        """The user name (the password is never exposed)."""
        return self._policy.username

    @property
    def digest_worked(self) -> bool:
        """True once the device accepted a Digest answer from any `HttpAuth` of this policy."""
        return self._policy.digest_worked

    @property
    def basic_worked(self) -> bool:
        """True once the device accepted a Basic answer from any `HttpAuth` of this policy."""
        return self._policy.basic_worked

    def sharing(self) -> HttpAuth:
        """A new nonce state under this policy (same credentials, rules and history)."""
        other = copy.copy(self)
        other.forget()
        return other

    def forget(self) -> None:
        """Drop the current challenge: the next request goes without credentials."""
        self._challenge = None
        self._nonce_count = 0
        self._basic_due = False

    @property
    def challenge(self) -> AuthChallenge | None:
        """The challenge being answered, or None before the server sent one."""
        return self._challenge

    def update(self, challenges: Iterable[AuthChallenge]) -> AuthChallenge:
        """Adopt the best challenge of a 401 response; raise when the policy refuses all.

        `RawHttpBasicRefusedError` when only Basic is offered and the policy forbids it.
        """
        chosen = self._policy.choose(list(challenges))
        if self._challenge is None or chosen.param("nonce") != self._challenge.param("nonce"):
            self._nonce_count = 0
        self._challenge = chosen
        self._basic_due = chosen.scheme == "basic"
        return chosen

    def authorization(self, method: str, uri: str) -> str | None:
        """The Authorization value for one request, or None (no challenge, or Basic not due).

        Digest is sent ahead with a growing nonce count; Basic answers one challenge only.
        """
        challenge = self._challenge
        if challenge is None:
            return None
        if ":" in self.username:
            # Basic cannot carry it (RFC 7617) and Digest hashes `user:realm:password`.
            raise RawHttpAuthenticationError(
                "This user name cannot be used for HTTP authentication (it contains ':'); "
                "choose another user"
            )
        if challenge.scheme == "basic":
            if not self._basic_due:
                return None
            self._basic_due = False
            return basic_authorization(self.username, self._policy.password)
        self._nonce_count += 1
        return digest_authorization(
            challenge,
            username=self.username,
            password=self._policy.password,
            method=method,
            uri=uri,
            nonce_count=self._nonce_count,
        )

    def record(self, authorization: str | None, status: int) -> None:
        """Note the answer to a request sent with `authorization` (Digest that worked is kept)."""
        if authorization is None or status == 401:
            return
        if authorization.startswith("Digest "):
            self._policy.digest_worked = True
        elif authorization.startswith("Basic "):
            self._policy.basic_worked = True
