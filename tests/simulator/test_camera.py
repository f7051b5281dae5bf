"""The Hikvision camera simulator, driven over loopback as a client would drive a camera."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from simulator.core import AuthScheme
from simulator.hikvision import (
    NAMESPACE_URIS,
    CameraConfig,
    ChannelConfig,
    HikvisionCamera,
    NamespaceVariant,
    RequestUrlStyle,
    SessionIdStyle,
)

from .helpers import (
    PASSWORD,
    TWA,
    channel_xml,
    get_xml,
    local,
    open_session,
    put,
    running,
    xml_values,
)


async def test_device_info(http: aiohttp.ClientSession, camera: HikvisionCamera) -> None:
    """deviceInfo carries model, serial, MAC and firmware from the configuration."""
    status, body = await get_xml(http, "/ISAPI/System/deviceInfo")
    values = xml_values(body)
    assert status == 200
    assert values["model"] == "DS-2CD2386G2-IU"
    assert values["serialNumber"] == camera.config.serial
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", values["macAddress"])
    assert values["firmwareVersion"] == "V5.7.18"
    assert values["deviceType"] == "IPCamera"


async def test_network_interfaces_repeat_namespace(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """The MAC sits under Link, and sub-blocks repeat version/xmlns like the AX PRO capture."""
    _, body = await get_xml(http, "/ISAPI/System/Network/interfaces")
    assert xml_values(body)["MACAddress"] == camera.config.mac
    assert body.count(b'xmlns="http://www.hikvision.com/ver20/XMLSchema"') == 4
    assert b'<MTU min="500" max="9676">1500</MTU>' in body


async def test_channel_list_and_channel(http: aiohttp.ClientSession) -> None:
    """The list repeats version/xmlns on each channel; enabled is false at rest."""
    status, body = await get_xml(http, TWA)
    assert status == 200
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<TwoWayAudioChannelList version="2.0"'
    )
    assert (
        b'<TwoWayAudioChannel version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">'
        in body
    )
    values = xml_values(body)
    assert values["enabled"] == "false"
    assert values["audioCompressionType"] == "G.711ulaw"
    _, single = await get_xml(http, f"{TWA}/1")
    assert local(ET.fromstring(single).tag) == "TwoWayAudioChannel"


async def test_capabilities(http: aiohttp.ClientSession) -> None:
    """Options are opt= attributes, ranges min/max, like real capability documents."""
    status, body = await get_xml(http, f"{TWA}/1/capabilities")
    assert status == 200
    root = ET.fromstring(body)
    caps = {local(node.tag): node for node in root}
    assert local(root.tag) == "TwoWayAudioChannelCap"
    assert caps["audioCompressionType"].get("opt") == "G.711ulaw,G.711alaw,G.726,AAC"
    assert caps["audioCompressionType"].text == "G.711ulaw"
    assert (caps["speakerVolume"].get("min"), caps["speakerVolume"].get("max")) == ("0", "100")
    assert caps["audioInputType"].get("opt") == "MicIn,LineIn"


async def test_put_channel_applies_and_persists(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """A PUT changes volume, codec and noise reduction; enabled=true is ignored (a status)."""
    body = channel_xml(
        speakerVolume=77, audioCompressionType="G.711alaw", noisereduce="true", enabled="true"
    )
    status, answer = await put(http, f"{TWA}/1", body)
    assert status == 200
    assert xml_values(answer)["statusCode"] == "1"
    _, current = await get_xml(http, f"{TWA}/1")
    values = xml_values(current)
    assert (values["speakerVolume"], values["audioCompressionType"]) == ("77", "G.711alaw")
    assert (values["noisereduce"], values["enabled"]) == ("true", "false")
    assert camera.channels[1].codec == "G.711alaw"


async def test_put_channel_accepts_a_namespaced_document(http: aiohttp.ClientSession) -> None:
    """Devices parse by local name, whatever namespace the client echoes back."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><TwoWayAudioChannel version="2.0" '
        b'xmlns="http://www.isapi.org/ver20/XMLSchema"><id>1</id><speakerVolume>5</speakerVolume>'
        b"<unknownThing>x</unknownThing></TwoWayAudioChannel>"
    )
    assert (await put(http, f"{TWA}/1", body))[0] == 200
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["speakerVolume"] == "5"


@pytest.mark.parametrize(
    ("body", "sub_status"),
    [
        (channel_xml(speakerVolume=101), "badParameters"),
        (channel_xml(speakerVolume=-1), "badParameters"),
        (channel_xml(speakerVolume="loud"), "badParameters"),
        (channel_xml(audioCompressionType="OPUS"), "badParameters"),
        (channel_xml(audioInputType="Radio"), "badParameters"),
        (channel_xml(noisereduce="maybe"), "badParameters"),
        (channel_xml(channel=2, speakerVolume=10), "badXmlContent"),
        (b"<TwoWayAudioChannel><id>1</id>", "badXmlContent"),
        (b"<Other><id>1</id></Other>", "badXmlContent"),
        (b"", "badXmlContent"),
        (
            (
                b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                b"<TwoWayAudioChannel><id>1</id><audioInputType>&b;</audioInputType>"
                b"</TwoWayAudioChannel>"
            ),
            "badXmlContent",
        ),
    ],
)
async def test_put_channel_refuses_bad_content(
    http: aiohttp.ClientSession, camera: HikvisionCamera, body: bytes, sub_status: str
) -> None:
    """Bad values and bad XML are ResponseStatus statusCode 6; nothing is applied."""
    status, answer = await put(http, f"{TWA}/1", body)
    values = xml_values(answer)
    assert status == 400
    assert (values["statusCode"], values["subStatusCode"]) == ("6", sub_status)
    assert values["statusString"] == "Invalid XML Content"
    assert camera.channels[1].speaker_volume == 50


@pytest.mark.parametrize("channel", ["9", "0", "abc"])
async def test_invalid_channel_id(http: aiohttp.ClientSession, channel: str) -> None:
    """Unknown channel ids are invalidID (statusCode 4, HTTP 403) on every resource."""
    for method, suffix in (
        ("GET", ""),
        ("PUT", "/open"),
        ("PUT", "/close"),
        ("GET", "/capabilities"),
    ):
        async with http.request(method, f"{TWA}/{channel}{suffix}") as response:
            values = xml_values(await response.read())
            assert response.status == 403
            assert (values["statusCode"], values["subStatusCode"]) == ("4", "invalidID")


async def test_unknown_path_and_wrong_method(http: aiohttp.ClientSession) -> None:
    """404 notSupport for unknown resources, 405 methodNotAllowed for a wrong method."""
    async with http.get("/ISAPI/System/status") as response:
        values = xml_values(await response.read())
        assert response.status == 404
        assert (values["statusCode"], values["subStatusCode"]) == ("4", "notSupport")
        assert values["requestURL"] == "/ISAPI/System/status"
    async with http.get(f"{TWA}/1/open") as response:
        values = xml_values(await response.read())
        assert response.status == 405
        assert values["subStatusCode"] == "methodNotAllowed"
        assert response.headers["Allow"] == "PUT"


async def test_open_returns_opaque_session_and_enabled_turns_true(
    http: aiohttp.ClientSession,
) -> None:
    """sessionId is 32 lowercase alphanumerics; enabled reads true only while open."""
    session_id = await open_session(http)
    assert re.fullmatch(r"[a-z0-9]{32}", session_id)
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["enabled"] == "true"
    status, body = await put(http, f"{TWA}/1/close")
    assert (status, xml_values(body)["statusCode"]) == (200, "1")
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["enabled"] == "false"


async def test_open_twice_fails_until_close(http: aiohttp.ClientSession) -> None:
    """A second open fails as on real cameras; close then open works."""
    first = await open_session(http)
    status, body = await put(http, f"{TWA}/1/open")
    values = xml_values(body)
    assert status == 403
    assert (values["statusCode"], values["subStatusCode"]) == ("4", "invalidOperation")
    await put(http, f"{TWA}/1/close")
    assert await open_session(http) != first


async def test_close_when_closed_succeeds(http: aiohttp.ClientSession) -> None:
    """close answers OK even with nothing open."""
    for _ in range(2):
        status, body = await put(http, f"{TWA}/1/close")
        assert (status, xml_values(body)["subStatusCode"]) == (200, "ok")


async def test_held_channel_is_busy(http: aiohttp.ClientSession, camera: HikvisionCamera) -> None:
    """A held channel refuses open with deviceBusy; close does not end someone else's call."""
    camera.hold(1)
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["enabled"] == "true"
    for _ in range(2):
        status, body = await put(http, f"{TWA}/1/open")
        values = xml_values(body)
        assert status == 503
        assert (values["statusCode"], values["statusString"], values["subStatusCode"]) == (
            "2",
            "Device Busy",
            "deviceBusy",
        )
        assert (await put(http, f"{TWA}/1/close"))[0] == 200
    camera.hold(1, held=False)
    await open_session(http)


async def test_stale_session_blocks_open_until_close(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Stale-session mode: open fails until the client sends close first."""
    stale_id = camera.leave_stale_session(1)
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["enabled"] == "true"
    assert (await put(http, f"{TWA}/1/open"))[0] == 403
    assert (await put(http, f"{TWA}/1/open"))[0] == 403
    await put(http, f"{TWA}/1/close")
    assert await open_session(http) != stale_id
    # The orphan had no recording; the client's session has one.
    session = camera.channels[1].session
    assert session is not None
    assert [r.session_id for r in camera.recorder.recordings] == [session.session_id]


async def test_idle_session_is_closed(http: aiohttp.ClientSession, camera: HikvisionCamera) -> None:
    """A session that gets no audio is closed by the camera after idle_timeout."""
    camera.idle_timeout = 0.05
    await open_session(http)
    recording = camera.recorder.recordings[0]
    session = camera.channels[1].session
    assert session is not None
    assert session.watchdog is not None
    await session.watchdog
    assert camera.channels[1].session is None
    assert recording.close_reason == "idle timeout"
    assert xml_values((await get_xml(http, f"{TWA}/1"))[1])["enabled"] == "false"
    await open_session(http)


@pytest.mark.parametrize(
    ("style", "pattern"),
    [(SessionIdStyle.ALNUM32, r"[a-z0-9]{32}"), (SessionIdStyle.DIGITS, r"[1-9][0-9]*")],
)
async def test_session_id_styles(style: SessionIdStyle, pattern: str) -> None:
    """Both id styles seen in the wild; a fixed id for tests."""
    async with running(CameraConfig(password=PASSWORD, session_id_style=style)) as (_camera, http):
        assert re.fullmatch(pattern, await open_session(http))
    async with running(CameraConfig(password=PASSWORD, session_id="fixed-Id_1")) as (_camera, http):
        assert await open_session(http) == "fixed-Id_1"


@pytest.fixture
def door_station() -> CameraConfig:
    return CameraConfig(
        model="DS-KV8213-WME1(C)",
        device_type="VIS",
        namespace=NamespaceVariant.ISAPI,
        password=PASSWORD,
        channels=(
            ChannelConfig(id=1, codec="G.711ulaw"),
            ChannelConfig(id=2, codec="G.711alaw", microphone_volume=90, output_type="Speaker"),
        ),
    )


async def test_multi_channel_sessions_are_independent(door_station: CameraConfig) -> None:
    """Each channel has its own session, codec and settings."""
    async with running(door_station) as (camera, http):
        _, body = await get_xml(http, TWA)
        channels = list(ET.fromstring(body))
        assert [c.findtext("{*}audioCompressionType") for c in channels] == [
            "G.711ulaw",
            "G.711alaw",
        ]
        assert channels[1].findtext("{*}microphoneVolume") == "90"
        assert channels[1].findtext("{*}audioOutputType") == "Speaker"
        one = await open_session(http, 1)
        two = await open_session(http, 2)
        assert one != two
        await put(http, f"{TWA}/1/close")
        assert camera.channels[2].session is not None
        assert [(r.channel, r.codec) for r in camera.recorder.recordings] == [
            ("1", "G.711ulaw"),
            ("2", "G.711alaw"),
        ]


@pytest.mark.parametrize("variant", list(NamespaceVariant))
async def test_namespace_variants(variant: NamespaceVariant) -> None:
    """Every variant: the namespace on the root and repeated on list items; declaration as captured."""
    config = CameraConfig(password=PASSWORD, namespace=variant)
    async with running(config) as (_camera, http):
        for path in (TWA, "/ISAPI/System/deviceInfo", f"{TWA}/1/capabilities", "/nope"):
            async with http.get(path) as response:
                body = await response.read()
            root = ET.fromstring(body)
            uri = NAMESPACE_URIS[variant]
            assert root.tag.startswith(f"{{{uri}}}" if uri else root.tag[0])
            assert ("{" in root.tag) is (uri is not None)
            assert root.get("version") == ("2.0" if variant in ("hikvision", "isapi") else "1.0")
            assert body.startswith(b"<?xml") is (variant is not NamespaceVariant.STD_CGI)
        async with http.get(TWA) as response:
            body = await response.read()
        item = ET.fromstring(body)[0]
        assert item.get("version") is not None
        if uri:
            assert body.count(f'xmlns="{uri}"'.encode()) == 2


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (RequestUrlStyle.PATH, f"{TWA}/1/close"),
        (RequestUrlStyle.EMPTY, ""),
        (RequestUrlStyle.OMIT, None),
    ],
)
async def test_request_url_styles(style: RequestUrlStyle, expected: str | None) -> None:
    """ResponseStatus with the path, an empty requestURL, or none, as devices differ."""
    async with running(CameraConfig(password=PASSWORD, request_url=style)) as (_camera, http):
        _, body = await put(http, f"{TWA}/1/close")
    assert xml_values(body).get("requestURL") == expected


async def test_config_rejects_impossible_channels() -> None:
    """Configuration errors are caught when the device is built, not on first request."""
    with pytest.raises(ValueError, match="codec"):
        ChannelConfig(codec="OPUS")
    with pytest.raises(ValueError, match="speaker_volume"):
        ChannelConfig(speaker_volume=120)
    with pytest.raises(ValueError, match="unique"):
        CameraConfig(channels=(ChannelConfig(id=1), ChannelConfig(id=1)))


async def test_repr_hides_password() -> None:
    """The password never shows in a repr (logs, test failures)."""
    config = CameraConfig(password="hunter2-secret")
    assert "hunter2" not in repr(config)
    assert "hunter2" not in repr(config.auth_policy)


async def test_camera_without_two_way_audio_answers_not_supported() -> None:
    """A camera without two-way audio answers 404 notSupport on every TwoWayAudio resource."""
    async with (
        HikvisionCamera(CameraConfig(two_way_audio=False, auth_scheme=AuthScheme.NONE)) as camera,
        aiohttp.ClientSession() as session,
    ):
        for path in ("", "/1", "/1/capabilities"):
            async with session.get(
                f"{camera.base_url}/ISAPI/System/TwoWayAudio/channels{path}"
            ) as response:
                body = await response.text()
                assert response.status == 404
                assert "<subStatusCode>notSupport</subStatusCode>" in body
        async with session.get(f"{camera.base_url}/ISAPI/System/deviceInfo") as response:
            assert response.status == 200


async def test_recorder_without_audio_channels_lists_none() -> None:
    """A recorder whose cameras have no audio lists no two-way audio channel."""
    async with (
        HikvisionCamera(CameraConfig(list_channels=False, auth_scheme=AuthScheme.NONE)) as camera,
        aiohttp.ClientSession() as session,
        session.get(f"{camera.base_url}/ISAPI/System/TwoWayAudio/channels") as response,
    ):
        body = await response.text()
    assert response.status == 200
    assert "<TwoWayAudioChannelList" in body
    assert "<TwoWayAudioChannel " not in body
