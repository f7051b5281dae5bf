"""The real client against the simulated camera: identity, settings, sessions, auth, TLS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.talkback.isapi.client import IsapiClient
from custom_components.talkback.isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiDeviceError,
    IsapiInvalidIdError,
    IsapiNotSupportedError,
    IsapiResponseError,
)
from custom_components.talkback.isapi.models import TwoWayAudioChannel
from simulator.core import Fault, FaultKind
from simulator.hikvision import (
    ChannelConfig,
    HikvisionCamera,
    NamespaceVariant,
    RequestUrlStyle,
    SessionIdStyle,
)
from tests.rawhttp.scripted import Peer, ScriptedServer, response
from tests.rawhttp.tls import server_context

from .helpers import PASSWORD, USER, camera_and_client, make_client
from .realdata import REAL_DEVICES
from .tlsproxy import tls_proxy

NVR_CHANNELS = (
    ChannelConfig(id=1),
    ChannelConfig(id=2, codec="G.711alaw", speaker_volume=30, microphone_volume=40),
    ChannelConfig(id=3, codec="AAC"),
)


@pytest.mark.parametrize("variant", list(NamespaceVariant), ids=str)
async def test_device_info_in_every_namespace(
    http: aiohttp.ClientSession, variant: NamespaceVariant
) -> None:
    """Identity (MAC normalised) reads the same whatever namespace the firmware uses."""
    async with camera_and_client(http, namespace=variant, mac="A6-63-9E-F8-01-09") as (
        camera,
        client,
    ):
        device = await client.device_info()
    config = camera.config
    assert device.model == config.model
    assert device.serial_number == config.serial
    assert device.mac_address == "a6:63:9e:f8:01:09"
    assert device.firmware_version == config.firmware_version
    assert device.device_type == "IPCamera"
    assert device.name == config.device_name


async def test_mac_from_network_interfaces(http: aiohttp.ClientSession) -> None:
    """A deviceInfo without a MAC is completed from the (real AX PRO) interface list."""
    interfaces = (
        REAL_DEVICES / "System_Network_interfaces_AXPRO__gunkutzeybek_hikaxpro.xml"
    ).read_bytes()

    async def device(peer: Peer) -> None:
        head = await peer.read_head()
        if "deviceInfo" in head[":line"]:
            body = b"<DeviceInfo><model>AX PRO</model><serialNumber>Q1</serialNumber></DeviceInfo>"
        else:
            body = interfaces
        await peer.send(response(200, body, "Content-Type: application/xml", "Connection: close"))

    server = ScriptedServer(device)
    await server.start()
    try:
        info = await make_client(http, server.port).device_info()
    finally:
        await server.close()
    assert info.mac_address == "2c:a5:9c:cd:20:0a"
    assert [peer.heads[0][":line"].split()[1] for peer in server.peers] == [
        "/ISAPI/System/deviceInfo",
        "/ISAPI/System/Network/interfaces",
    ]


async def test_channels_of_an_nvr(http: aiohttp.ClientSession) -> None:
    """Several channels with their own codecs and settings; capabilities per channel."""
    async with camera_and_client(
        http, model="DS-7608NXI-I2/8P/S", device_type="NVR", channels=NVR_CHANNELS
    ) as (_, client):
        channels = await client.two_way_audio_channels()
        second = await client.two_way_audio_channel("2")
        caps = await client.two_way_audio_capabilities("2")
    assert [(c.id, c.g711_codec) for c in channels] == [("1", "mulaw"), ("2", "alaw"), ("3", None)]
    assert channels[2].audio_compression_type == "AAC"
    assert (second.speaker_volume, second.microphone_volume, second.enabled) == (30, 40, False)
    assert caps.audio_compression_types == ("G.711ulaw", "G.711alaw", "G.726", "AAC")
    assert caps.audio_input_types == ("MicIn", "LineIn")
    assert caps.speaker_volume_range == (0, 100)
    assert caps.noise_reduction_supported


async def test_update_channel(client: IsapiClient, camera: HikvisionCamera) -> None:
    """Settings change on the device; refused values are a device error with advice."""
    channel = await client.two_way_audio_channel("1")
    updated = await client.update_two_way_audio_channel(
        channel, speaker_volume=80, audio_compression_type="G.711alaw", noise_reduction=True
    )
    assert (updated.speaker_volume, updated.g711_codec, updated.noise_reduction) == (
        80,
        "alaw",
        True,
    )
    state = camera.channels[1]
    assert (state.speaker_volume, state.codec, state.noise_reduce) == (80, "G.711alaw", True)
    with pytest.raises(IsapiDeviceError, match="choose values") as caught:
        await client.update_two_way_audio_channel(updated, speaker_volume=500)
    assert caught.value.sub_status_code == "badParameters"
    assert camera.channels[1].speaker_volume == 80


async def test_open_close_and_refusals(client: IsapiClient, camera: HikvisionCamera) -> None:
    """Open gives an opaque id; open twice or a held channel is busy; close is idempotent."""
    session = await client.open_two_way_audio("1")
    assert session.session_id is not None
    assert len(session.session_id) == 32
    assert client.session_id("1") == session.session_id
    assert (await client.two_way_audio_channel("1")).enabled  # "someone is talking"
    with pytest.raises(IsapiBusyError, match="already open"):
        await client.open_two_way_audio("1")
    await client.close_two_way_audio("1")
    await client.close_two_way_audio("1")
    assert camera.channels[1].session is None
    camera.hold(1)
    with pytest.raises(IsapiBusyError, match="another client") as caught:
        await client.open_two_way_audio("1")
    assert caught.value.http_status == 503
    with pytest.raises(IsapiInvalidIdError, match="no such channel"):
        await client.open_two_way_audio("7")


async def test_receive_audio(http: aiohttp.ClientSession) -> None:
    """GET audioData streams the channel's G.711 with the open session's id."""
    async with camera_and_client(http, session_id_style=SessionIdStyle.DIGITS) as (camera, client):
        with pytest.raises(IsapiDeviceError, match="open"):
            async for _ in client.receive_audio("1"):
                pass
        session = await client.open_two_way_audio("1")
        received = bytearray()
        stream = client.receive_audio("1")
        async for chunk in stream:
            received += chunk
            if len(received) >= 1600:
                break
        await stream.aclose()
        await client.close_two_way_audio("1")
        targets = [
            r.target for r in camera.requests if r.method == "GET" and "audioData" in r.target
        ]
    assert session.session_id is not None
    assert session.session_id.isdigit()
    assert len(received) >= 1600
    assert len(set(received)) >= 3  # a tone, not silence
    assert targets[-1].endswith(f"audioData?sessionId={session.session_id}")


async def test_auth_schemes(http: aiohttp.ClientSession, auth_policy: dict[str, Any]) -> None:
    """Digest MD5 and SHA-256, Basic when nothing else is offered, and open devices all work."""
    async with camera_and_client(http, **auth_policy) as (camera, client):
        assert (await client.device_info()).model == camera.config.model
        assert len(await client.two_way_audio_channels()) == 1
        refused = camera.authenticator.counts.get("bad-credentials", 0)
    assert refused == 0


async def test_wrong_password(http: aiohttp.ClientSession, camera: HikvisionCamera) -> None:
    """A wrong password is an authentication error that never shows either password."""
    client = make_client(http, camera.port, password="wrong-secret-123")
    with pytest.raises(IsapiAuthenticationError, match="user name or password") as caught:
        await client.device_info()
    assert caught.value.http_status == 401
    for text in (str(caught.value), repr(caught.value), repr(client)):
        assert "wrong-secret-123" not in text
        assert PASSWORD not in text


async def test_stale_nonce_is_rechallenged(client: IsapiClient, camera: HikvisionCamera) -> None:
    """An expired nonce on an ordinary request is answered again, transparently."""
    await client.device_info()
    camera.authenticator.expire_nonces()
    await client.two_way_audio_channels()
    assert camera.authenticator.counts.get("stale-nonce", 0) >= 1


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault(FaultKind.STATUS, status=503), IsapiBusyError, "busy"),
        (Fault(FaultKind.STATUS, status=500), IsapiDeviceError, "restart"),
        (Fault(FaultKind.HTML_401), IsapiAuthenticationError, "user name or password"),
        (Fault(FaultKind.MALFORMED), IsapiResponseError, "not well-formed"),
        (Fault(FaultKind.TRUNCATED), IsapiResponseError, "not well-formed"),
        (Fault(FaultKind.ENTITY_BOMB), IsapiResponseError, "DTD"),
        (Fault(FaultKind.EXTERNAL_ENTITY), IsapiResponseError, "DTD"),
        (Fault(FaultKind.DROP_AFTER_SENT, nbytes=60), IsapiConnectionError, "connection"),
    ],
    ids=lambda value: value.kind.value if isinstance(value, Fault) else None,
)
async def test_faults_are_typed(
    client: IsapiClient,
    camera: HikvisionCamera,
    fault: Fault,
    error: type[Exception],
    message: str,
) -> None:
    """Every simulated failure of deviceInfo is one typed error with advice."""
    camera.faults.add(
        Fault(fault.kind, path="/ISAPI/System/deviceInfo", status=fault.status, nbytes=fault.nbytes)
    )
    with pytest.raises(error, match=message):
        await client.device_info()


async def test_unknown_resource_is_not_supported(client: IsapiClient) -> None:
    """A 404 notSupport (a camera without two-way audio) is IsapiNotSupportedError."""
    with pytest.raises(IsapiNotSupportedError, match="does not support"):
        await client.two_way_audio_capabilities("1/../../Nothing")


async def test_request_url_styles_and_connection_refused(http: aiohttp.ClientSession) -> None:
    """ResponseStatus without requestURL works; a closed port is a connection error."""
    async with camera_and_client(http, request_url=RequestUrlStyle.OMIT) as (camera, client):
        await client.close_two_way_audio("1")
        port = camera.port
    with pytest.raises(IsapiConnectionError, match="Cannot connect"):
        await make_client(http, port).device_info()


async def test_https_self_signed_and_verified(
    http: aiohttp.ClientSession, camera: HikvisionCamera, tmp_path: Path
) -> None:
    """Verification is on by default; `ssl_context=False` trusts a self-signed device."""
    async with tls_proxy(camera.port, server_context(tmp_path)) as port:
        verified = make_client(http, port, use_ssl=True)
        with pytest.raises(IsapiConnectionError, match="not trusted"):
            await verified.device_info()
        insecure = make_client(http, port, use_ssl=True, ssl_context=False)
        assert (await insecure.device_info()).model == camera.config.model
        origin = await insecure.origin()
        assert origin.url("/x") == f"https://127.0.0.1:{port}/x"


async def test_ipv6_and_bad_hosts(http: aiohttp.ClientSession) -> None:
    """IPv6 literals get brackets in URLs; an impossible host is a typed error."""
    client = IsapiClient(http, "fe80::1", username=USER, password=PASSWORD, port=8080)
    origin = await client.origin()
    assert origin.url("/ISAPI/System/deviceInfo") == "http://[fe80::1]:8080/ISAPI/System/deviceInfo"
    bracketed = IsapiClient(http, "[2001:db8::7]", username=USER, password=PASSWORD)
    assert (await bracketed.origin()).authority == "[2001:db8::7]"
    with pytest.raises(IsapiConnectionError, match="host name"):
        await IsapiClient(http, "a b/c", username=USER, password=PASSWORD).device_info()


async def test_digest_challenge_that_cannot_be_answered(http: aiohttp.ClientSession) -> None:
    """A Digest challenge without a nonce is an authentication error with advice."""

    async def device(peer: Peer) -> None:
        await peer.read_head()
        await peer.send(
            response(401, b"", 'WWW-Authenticate: Digest realm="cam"', "Connection: close")
        )

    server = ScriptedServer(device)
    await server.start()
    try:
        with pytest.raises(IsapiAuthenticationError, match="enable Digest"):
            await make_client(http, server.port).device_info()
    finally:
        await server.close()


async def test_update_hand_built_channel(client: IsapiClient, camera: HikvisionCamera) -> None:
    """A channel not read from the device still writes a body with its id."""
    channel = TwoWayAudioChannel(
        id="1",
        enabled=False,
        audio_compression_type="G.711ulaw",
        audio_input_type=None,
        speaker_volume=None,
        noise_reduction=None,
    )
    updated = await client.update_two_way_audio_channel(channel, speaker_volume=7)
    assert updated.speaker_volume == camera.channels[1].speaker_volume == 7


async def test_user_name_digest_cannot_carry(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """A ':' in the user name cannot be sent with Digest: a typed error, not a ValueError."""
    client = IsapiClient(http, "127.0.0.1", port=camera.port, username="a:b", password="p")
    with pytest.raises(IsapiAuthenticationError, match="choose another user"):
        await client.device_info()
