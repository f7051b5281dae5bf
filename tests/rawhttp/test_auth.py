"""Challenge parsing and Digest/Basic answers, checked against the RFC examples."""

from __future__ import annotations

import base64

import pytest

from custom_components.talkback.rawhttp import (
    AuthChallenge,
    HttpAuth,
    RawHttpAuthenticationError,
    RawHttpBasicRefusedError,
    basic_authorization,
    digest_authorization,
    parse_www_authenticate,
    select_challenge,
)
from custom_components.talkback.rawhttp.auth import _parse_one_header

RFC7616_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


def params_of(authorization: str) -> dict[str, str]:
    """The fields of an Authorization value, parsed by the challenge parser."""
    (parsed,) = _parse_one_header(authorization)
    assert parsed.scheme == "digest"
    return dict(parsed.params)


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_matches_rfc7616_examples(algorithm: str, expected: str) -> None:
    """RFC 7616 section 3.9.1: the same request answered with MD5 and with SHA-256."""
    (challenge,) = parse_www_authenticate([RFC7616_CHALLENGE.format(algorithm=algorithm)])
    value = digest_authorization(
        challenge,
        username="Mufasa",
        password="Circle of Life",
        method="GET",
        uri="/dir/index.html",
        nonce_count=1,
        cnonce=RFC7616_CNONCE,
    )
    fields = params_of(value)
    assert fields["response"] == expected
    assert fields["qop"] == "auth"
    assert fields["nc"] == "00000001"
    assert fields["algorithm"] == algorithm
    assert fields["opaque"] == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
    assert fields["uri"] == "/dir/index.html"
    assert "qop=auth," in value  # qop and nc are tokens, never quoted
    assert 'response="' in value


def test_digest_matches_rfc2617_example() -> None:
    """RFC 2617 section 3.5 (MD5, qop=auth, no algorithm named by the server)."""
    challenge = AuthChallenge(
        "digest",
        {
            "realm": "testrealm@host.com",
            "qop": "auth,auth-int",
            "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
        },
    )
    value = digest_authorization(
        challenge,
        username="Mufasa",
        password="Circle Of Life",
        method="GET",
        uri="/dir/index.html",
        cnonce="0a4f113b",
    )
    assert params_of(value)["response"] == "6629fae49393a05397450978507c4ef1"


def test_digest_without_qop_and_session_variant() -> None:
    """RFC 2069 (no qop) omits nc/cnonce; -sess folds nonce and cnonce into HA1."""
    plain = AuthChallenge("digest", {"realm": "r", "nonce": "n"})
    fields = params_of(
        digest_authorization(plain, username="u", password="p", method="PUT", uri="/a")
    )
    assert "nc" not in fields
    assert "cnonce" not in fields
    assert "qop" not in fields
    sess = AuthChallenge("digest", {"realm": "r", "nonce": "n", "qop": "auth"})
    sess_md5 = AuthChallenge("digest", {**sess.params, "algorithm": "MD5-sess"})
    args = {"username": "u", "password": "p", "method": "PUT", "uri": "/a", "cnonce": "c"}
    assert (
        params_of(digest_authorization(sess, **args))["response"]
        != params_of(digest_authorization(sess_md5, **args))["response"]
    )


def test_digest_quotes_username_and_refuses_unusable() -> None:
    """A quote in the user name is escaped; a Basic challenge is not answered with Digest."""
    challenge = AuthChallenge("digest", {"realm": "r", "nonce": "n", "qop": "auth"})
    value = digest_authorization(challenge, username='a"b', password="p", method="GET", uri="/")
    assert 'username="a\\"b"' in value
    assert params_of(value)["username"] == 'a"b'
    with pytest.raises(RawHttpAuthenticationError, match="Digest"):
        digest_authorization(
            AuthChallenge("basic", {"realm": "r"}),
            username="u",
            password="p",
            method="GET",
            uri="/",
        )


def test_parse_several_challenges_in_one_and_many_headers() -> None:
    """Comma-separated challenges, token68, unquoted values and escapes all parse."""
    challenges = parse_www_authenticate(
        [
            'Digest realm="IP \\"Camera\\"", nonce="abc", qop=auth, stale=TRUE, Basic realm="x"',
            "Negotiate dG9rZW4=",
            "Bearer",
        ]
    )
    assert [c.scheme for c in challenges] == ["digest", "basic", "negotiate", "bearer"]
    digest = challenges[0]
    assert digest.param("REALM") == 'IP "Camera"'
    assert digest.qop_options == ("auth",)
    assert digest.stale
    assert digest.algorithm == "MD5"
    assert challenges[1].param("realm") == "x"
    assert challenges[2].token68 == "dG9rZW4="
    assert challenges[3].params == {}


def test_parse_rejects_garbage() -> None:
    """A header that is not a challenge list is a typed error."""
    with pytest.raises(RawHttpAuthenticationError, match="malformed"):
        parse_www_authenticate(['"quoted scheme"'])
    assert parse_www_authenticate(["", " , "]) == []


def test_select_prefers_strongest_digest_then_basic() -> None:
    """SHA-256 beats MD5; Basic only when no Digest is offered at all; auth-int-only is not.

    A Digest Talkback cannot answer beside Basic is not a reason to send the password in
    clear (issue 12): nothing is selected and the caller reports the Digest it cannot do.
    """
    md5 = AuthChallenge("digest", {"realm": "r", "nonce": "1", "qop": "auth"})
    sha = AuthChallenge("digest", {"realm": "r", "nonce": "2", "algorithm": "SHA-256"})
    basic = AuthChallenge("basic", {"realm": "r"})
    int_only = AuthChallenge("digest", {"realm": "r", "nonce": "3", "qop": "auth-int"})
    odd = AuthChallenge("digest", {"realm": "r", "nonce": "4", "algorithm": "SHA-512-256"})
    assert select_challenge([basic, md5, sha]) is sha
    assert select_challenge([basic, md5]) is md5
    assert select_challenge([int_only, odd, basic]) is None
    assert select_challenge([basic]) is basic
    assert select_challenge([int_only, odd]) is None
    assert not AuthChallenge("digest", {"realm": "r"}).usable  # no nonce


def test_http_auth_counts_per_nonce_and_hides_password() -> None:
    """nc grows with each request on one nonce and restarts on a new one."""
    auth = HttpAuth("admin", "s3cret-pass")
    assert auth.authorization("GET", "/") is None
    auth.update(parse_www_authenticate(['Digest realm="r", nonce="one", qop="auth"']))
    counts = [params_of(auth.authorization("GET", "/x") or "")["nc"] for _ in range(3)]
    assert counts == ["00000001", "00000002", "00000003"]
    auth.update(parse_www_authenticate(['Digest realm="r", nonce="one", qop="auth"']))
    assert params_of(auth.authorization("GET", "/x") or "")["nc"] == "00000004"
    auth.update(parse_www_authenticate(['Digest realm="r", nonce="two", qop="auth"']))
    assert params_of(auth.authorization("GET", "/x") or "")["nc"] == "00000001"
    assert "s3cret" not in repr(auth)
    assert "s3cret" not in str(auth)


def test_http_auth_basic_and_unsupported() -> None:
    """A Basic-only server gets Basic; a server offering nothing usable is a typed error."""
    auth = HttpAuth("admin", "pässword")
    auth.update(parse_www_authenticate(['Basic realm="old"']))
    value = auth.authorization("GET", "/")
    assert value == basic_authorization("admin", "pässword")
    assert base64.b64decode(value.split()[1]).decode() == "admin:pässword"
    with pytest.raises(RawHttpAuthenticationError, match="offered: bearer, negotiate") as err:
        auth.update(parse_www_authenticate(["Negotiate abc", "Bearer"]))
    assert "pässword" not in str(err.value)


DIGEST = parse_www_authenticate(['Digest realm="r", nonce="n1", qop="auth"'])
BASIC = parse_www_authenticate(['Basic realm="r"'])


def test_basic_answers_one_challenge_only() -> None:
    """Basic is never sent ahead: each request answers the challenge it got (re-examined)."""
    auth = HttpAuth("admin", "pw")
    auth.update(BASIC)
    assert auth.authorization("GET", "/a") == basic_authorization("admin", "pw")
    assert auth.authorization("GET", "/b") is None
    auth.update(DIGEST)  # the device offers Digest again: Digest from now on
    assert (auth.authorization("GET", "/c") or "").startswith("Digest ")
    assert (auth.authorization("GET", "/d") or "").startswith("Digest ")


def test_basic_over_http_needs_permission() -> None:
    """Refused over plain HTTP unless allowed; HTTPS always carries it."""
    with pytest.raises(RawHttpBasicRefusedError, match="unencrypted over HTTP") as err:
        HttpAuth("admin", "s3cret", allow_basic_over_http=False).update(BASIC)
    assert "s3cret" not in str(err.value)
    secure = HttpAuth("admin", "s3cret", allow_basic_over_http=False, secure=True)
    assert secure.update(BASIC).scheme == "basic"
    assert HttpAuth("admin", "s3cret").update(BASIC).scheme == "basic"  # the default allows


def test_no_downgrade_once_digest_worked_on_any_connection_family() -> None:
    """Digest that worked on ordinary requests forbids Basic on the talk socket too."""
    requests = HttpAuth("admin", "pw")
    requests.update(DIGEST)
    sent = requests.authorization("GET", "/x")
    requests.record(sent, 200)
    assert requests.digest_worked
    talk = requests.sharing()
    assert talk.challenge is None  # its own nonce state
    with pytest.raises(RawHttpBasicRefusedError, match="accepted Digest authentication before"):
        talk.update(BASIC)
    with pytest.raises(RawHttpBasicRefusedError):
        requests.update(BASIC)


def test_refused_digest_does_not_count_as_worked() -> None:
    """A 401 to a Digest answer (wrong password) leaves Basic possible for a Basic device."""
    auth = HttpAuth("admin", "pw")
    auth.update(DIGEST)
    auth.record(auth.authorization("GET", "/x"), 401)
    auth.record(None, 200)
    assert not auth.digest_worked


def test_unanswerable_digest_beside_basic_is_an_error_not_basic() -> None:
    """SHA-512-256 Digest next to Basic: the policy says what is missing, sends nothing."""
    offered = parse_www_authenticate(
        ['Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"', 'Basic realm="r"']
    )
    with pytest.raises(RawHttpAuthenticationError, match="SHA-512-256"):
        HttpAuth("admin", "pw").update(offered)


def test_basic_worked_only_after_an_accepted_basic_answer() -> None:
    """What the adapter warns about: the device took the password as Basic."""
    auth = HttpAuth("admin", "pw")
    auth.update(BASIC)
    sent = auth.authorization("GET", "/x")
    auth.record(sent, 401)  # refused: nothing worked
    assert not auth.basic_worked
    auth.update(BASIC)
    auth.record(auth.authorization("GET", "/y"), 200)
    assert auth.basic_worked
    assert auth.sharing().basic_worked  # the policy's history, shared
    assert not auth.digest_worked
