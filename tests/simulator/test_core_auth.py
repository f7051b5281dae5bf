"""Server-side Digest and Basic: unit checks on a fake clock, then real clients over loopback."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from simulator.core import Authenticator, AuthPolicy, AuthScheme, DigestAlgorithm
from simulator.core.auth import parse_auth_params
from simulator.hikvision import CameraConfig, HikvisionCamera

from .helpers import (
    PASSWORD,
    USER,
    DigestSigner,
    RawConnection,
    authorized,
    challenge_params,
    running,
)

URI = "/ISAPI/System/deviceInfo?x=1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def digest_setup(
    algorithm: DigestAlgorithm = DigestAlgorithm.MD5,
) -> tuple[Authenticator, DigestSigner, Clock]:
    clock = Clock()
    policy = AuthPolicy(
        username=USER, password=PASSWORD, realm="DS-TEST", algorithm=algorithm, nonce_lifetime=30
    )
    authenticator = Authenticator(policy, clock)
    signer = DigestSigner()
    signer.use(authenticator.challenge())
    return authenticator, signer, clock


@pytest.mark.parametrize("algorithm", list(DigestAlgorithm))
def test_digest_accepts_a_correct_response(algorithm: DigestAlgorithm) -> None:
    """MD5 (not named in the challenge), SHA-256 and the -sess forms (named) all verify."""
    authenticator, signer, _ = digest_setup(algorithm)
    challenge = authenticator.challenge()
    named = algorithm is not DigestAlgorithm.MD5
    assert (f"algorithm={algorithm.value}" in challenge) is named
    assert 'qop="auth"' in challenge
    assert 'stale="FALSE"' in challenge
    outcome = authenticator.check("GET", URI, signer.sign("GET", URI))
    assert (outcome.ok, outcome.reason) == (True, "digest")


def test_digest_nonce_expires_and_is_rechallenged_stale() -> None:
    """After the nonce lifetime a correct response gets 401 with stale=TRUE."""
    authenticator, signer, clock = digest_setup()
    assert authenticator.check("GET", URI, signer.sign("GET", URI)).ok
    clock.now += 31
    outcome = authenticator.check("GET", URI, signer.sign("GET", URI))
    assert (outcome.ok, outcome.reason) == (False, "stale-nonce")
    assert outcome.challenge is not None
    assert challenge_params(outcome.challenge)["stale"] == "TRUE"
    signer.use(outcome.challenge)
    assert authenticator.check("GET", URI, signer.sign("GET", URI)).ok


def test_expire_nonces_makes_every_nonce_stale() -> None:
    """The test hook used by stale-nonce scenarios."""
    authenticator, signer, _ = digest_setup()
    authenticator.expire_nonces()
    assert authenticator.check("GET", URI, signer.sign("GET", URI)).reason == "stale-nonce"


def test_unknown_nonce_with_right_password_is_stale() -> None:
    """A nonce from before a restart: stale, so clients retry without asking the user."""
    authenticator, signer, _ = digest_setup()
    signer.params["nonce"] = "0" * 32
    assert authenticator.check("GET", URI, signer.sign("GET", URI)).reason == "stale-nonce"


def test_nonce_count_must_grow() -> None:
    """A replayed or repeated nc is refused (not stale)."""
    authenticator, signer, _ = digest_setup()
    assert authenticator.check("GET", URI, signer.sign("GET", URI, nc=5)).ok
    outcome = authenticator.check("GET", URI, signer.sign("GET", URI, nc=5))
    assert (outcome.ok, outcome.reason) == (False, "replayed-nc")
    assert outcome.challenge is not None
    assert 'stale="FALSE"' in outcome.challenge
    assert authenticator.check("GET", URI, signer.sign("GET", URI, nc=6)).ok


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s, h: h.replace(f'uri="{URI}"', 'uri="/ISAPI/System/deviceInfo"'), "uri-mismatch"),
        (lambda s, h: h.replace("qop=auth", "qop=auth-int"), "wrong-qop"),
        (lambda s, h: h.replace('realm="DS-TEST"', 'realm="other"'), "wrong-realm"),
        (lambda s, h: h.replace(f'opaque="{s.params["opaque"]}"', 'opaque="x"'), "opaque-mismatch"),
        (lambda s, h: h + ", algorithm=SHA-256", "wrong-algorithm"),
        (lambda s, h: h.replace("qop=auth, ", ""), "incomplete"),
        (lambda s, h: h.replace('response="', 'response="0'), "bad-credentials"),
        (lambda s, h: h.replace(f'username="{USER}"', 'username="root"'), "bad-credentials"),
        (lambda s, h: h.replace("nc=", "nc=zz"), "malformed-nc"),
        (lambda s, h: h.replace('username="', "username="), "malformed"),
        (
            lambda s, h: "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
            "wrong-scheme",
        ),
    ],
)
def test_digest_refusals(change, reason: str) -> None:  # type: ignore[no-untyped-def]
    """Every deviation from what the challenge asked for is refused, with the reason logged."""
    authenticator, signer, _ = digest_setup()
    header = change(signer, signer.sign("GET", URI))
    outcome = authenticator.check("GET", URI, header)
    assert (outcome.ok, outcome.reason) == (False, reason)
    assert authenticator.counts[reason] == 1


def test_wrong_password_and_missing_header() -> None:
    """Wrong password: bad-credentials; no header: missing; both re-challenge."""
    authenticator, signer, _ = digest_setup()
    signer.password = "wrong"
    assert authenticator.check("GET", URI, signer.sign("GET", URI)).reason == "bad-credentials"
    outcome = authenticator.check("GET", URI, None)
    assert outcome.reason == "missing"
    assert outcome.challenge is not None
    assert outcome.challenge.startswith("Digest ")


def test_basic_only() -> None:
    """Basic-only devices: the right pair passes, Digest and wrong pairs do not."""
    policy = AuthPolicy(scheme=AuthScheme.BASIC, username=USER, password=PASSWORD, realm="old")
    authenticator = Authenticator(policy)

    def basic(user: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    assert authenticator.check("GET", URI, basic(USER, PASSWORD)).ok
    assert authenticator.check("GET", URI, basic(USER, "nope")).reason == "bad-credentials"
    assert authenticator.check("GET", URI, "Basic !!!").reason == "malformed"
    assert authenticator.check(
        "GET", URI, "Basic " + base64.b64encode(b"nocolon").decode()
    ).reason == ("bad-credentials")
    outcome = authenticator.check("GET", URI, 'Digest username="admin"')
    assert outcome.reason == "wrong-scheme"
    assert outcome.challenge == 'Basic realm="old"'


def test_parse_auth_params_quotes_and_escapes() -> None:
    """Quoted strings keep commas and unescape backslashes; tokens end at commas."""
    params = parse_auth_params(r'username="a\"b,c", nc=00000001 ,qop=auth,  realm="r"')
    assert params == {"username": 'a"b,c', "nc": "00000001", "qop": "auth", "realm": "r"}
    with pytest.raises(ValueError, match="malformed"):
        parse_auth_params("username")


@pytest.mark.parametrize("algorithm", list(DigestAlgorithm))
async def test_aiohttp_digest_against_the_camera(algorithm: DigestAlgorithm) -> None:
    """aiohttp's own DigestAuthMiddleware works with MD5 and SHA-256 devices."""
    config = CameraConfig(password=PASSWORD, digest_algorithm=algorithm)
    async with running(config) as (camera, http):
        for _ in range(3):
            async with http.get("/ISAPI/System/deviceInfo") as response:
                assert response.status == 200
        camera.authenticator.expire_nonces()
        async with http.get("/ISAPI/System/deviceInfo") as response:
            assert response.status == 200
        assert camera.authenticator.counts["digest"] == 4
        assert camera.authenticator.counts["stale-nonce"] == 1


async def test_wrong_password_gets_the_html_401_page(camera: HikvisionCamera) -> None:
    """Real cameras answer 401 with an HTML page, not XML."""
    async with (
        aiohttp.ClientSession(
            base_url=camera.base_url, middlewares=(aiohttp.DigestAuthMiddleware(USER, "wrong"),)
        ) as http,
        http.get("/ISAPI/System/deviceInfo") as response,
    ):
        assert response.status == 401
        assert response.headers["Content-Type"] == "text/html"
        assert "Document Error: Unauthorized" in await response.text()
    assert camera.authenticator.counts["bad-credentials"] == 1


async def test_basic_only_camera() -> None:
    """A Basic-only camera challenges with Basic and accepts preemptive Basic credentials."""
    config = CameraConfig(password=PASSWORD, auth_scheme=AuthScheme.BASIC)
    async with HikvisionCamera(config) as camera:
        connection = await RawConnection.open(camera.port)
        await connection.request("GET", "/ISAPI/System/deviceInfo")
        answer = await connection.response()
        assert answer.status == 401
        assert answer.headers["www-authenticate"] == f'Basic realm="{config.realm}"'
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        await connection.request(
            "GET", "/ISAPI/System/deviceInfo", {"Authorization": f"Basic {token}"}
        )
        assert (await connection.response()).status == 200
        await connection.close()
        # A Digest client gets nowhere on a Basic-only device.
        connection, signer = await authorized(camera.port, DigestSigner())
        await connection.close()
        assert "nonce" not in signer.params


async def test_realm_defaults_to_the_model(camera: HikvisionCamera) -> None:
    """Hikvision realms name the model (older firmware: 'IP Camera(...)'; configurable)."""
    connection, signer = await authorized(camera.port)
    await connection.close()
    assert signer.params["realm"] == "DS-2CD2386G2-IU"
