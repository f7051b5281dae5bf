"""Parsers over every relevant real device payload and every namespace variant."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import fromstring as unsafe_fromstring

import pytest

from custom_components.talkback.isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiDeviceError,
    IsapiError,
    IsapiInvalidIdError,
    IsapiNotSupportedError,
    IsapiResponseError,
    IsapiTooManyChannelsError,
)
from custom_components.talkback.isapi.models import (
    DeviceInfo,
    ResponseStatus,
    TwoWayAudioCapabilities,
    TwoWayAudioChannel,
    TwoWayAudioSession,
    g711_law,
    normalize_mac,
    parse_network_interfaces,
    parse_two_way_audio_channels,
)
from custom_components.talkback.isapi.status import error_for, error_for_body
from custom_components.talkback.isapi.xml import parse_document

from .realdata import REAL_DEVICES, device_info_documents, real_files

NAMESPACES = {
    "hikvision": ' version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"',
    "isapi": ' version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"',
    "std-cgi": ' xmlns="http://www.std-cgi.com/ver20/XMLSchema" version="1.0"',
    "psia": ' version="1.0" xmlns="urn:psialliance-org"',
    "none": ' version="1.0"',
}

CHANNEL = """<TwoWayAudioChannel{ns}>
<id>2</id>
<enabled>TRUE</enabled>
<audioCompressionType>G.711alaw</audioCompressionType>
<speakerVolume>70</speakerVolume>
<microphoneVolume>90</microphoneVolume>
<noisereduce>false</noisereduce>
<audioInputType>LineIn</audioInputType>
<isSupportEchoCancellation>true</isSupportEchoCancellation>
<vendorThing a="1"><nested>keep me</nested></vendorThing>
</TwoWayAudioChannel>"""

CAPABILITIES = """<TwoWayAudioChannelCap{ns}>
<id>1</id>
<enabled opt="true,false"/>
<audioCompressionType opt="G.711ulaw,G.711alaw,G.726,AAC">G.711ulaw</audioCompressionType>
<speakerVolume min="0" max="100"/>
<microphoneVolume min="1" max="90"/>
<noisereduce opt="true,false"/>
<audioInputType opt="MicIn, LineIn">MicIn</audioInputType>
</TwoWayAudioChannelCap>"""


def parse(text: str | bytes) -> Any:
    return parse_document(text.encode() if isinstance(text, str) else text, what="a document")


@pytest.mark.parametrize("path", real_files("TwoWayAudio_channels_*.xml"), ids=lambda p: p.name)
def test_real_channel_lists_parse(path: Any) -> None:
    """Every real channel list: one channel, id 1, idle, a codec, volume and noise setting."""
    (channel,) = parse_two_way_audio_channels(parse(path.read_bytes()))
    assert channel.id == "1"
    assert channel.enabled is False
    assert channel.audio_input_type == "MicIn"
    assert channel.audio_compression_type == ("AAC" if "_AAC_" in path.name else "G.711ulaw")
    assert channel.g711_codec == ("mulaw" if channel.audio_compression_type != "AAC" else None)
    assert isinstance(channel.speaker_volume, int)
    assert isinstance(channel.noise_reduction, bool)


def test_real_channel_values() -> None:
    """Spot values from the captures (echo-cancel device has a microphone volume)."""
    by_name = {
        path.name.split("__")[0]: parse_two_way_audio_channels(parse(path.read_bytes()))[0]
        for path in real_files("TwoWayAudio_channels_*.xml")
    }
    assert by_name["TwoWayAudio_channels_AAC"].speaker_volume == 60
    assert by_name["TwoWayAudio_channels_DS-2CD2386G2-ISU-SL"].speaker_volume == 100
    echo = by_name["TwoWayAudio_channels_echo-cancel"]
    assert (echo.speaker_volume, echo.microphone_volume) == (50, 90)
    assert echo.audio_output_type == "Speaker"


def test_real_write_back_keeps_unknown_elements() -> None:
    """A real channel written back keeps every element but `enabled`, in its namespace."""
    path = REAL_DEVICES / "TwoWayAudio_channels_echo-cancel__koush_scrypted-pr1905.xml"
    (channel,) = parse_two_way_audio_channels(parse(path.read_bytes()))
    body = channel.to_xml(speaker_volume=80, noise_reduction=False)
    text = body.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<TwoWayAudioChannel ')
    assert 'xmlns="http://www.hikvision.com/ver20/XMLSchema"' in text
    assert "ns0:" not in text
    assert "<enabled>" not in text
    for kept in ("<microphoneVolume>90<", "<isSupportEchoCancellation>true<", "Speaker<"):
        assert kept in text
    again = TwoWayAudioChannel.from_xml(parse(body))
    assert (again.speaker_volume, again.noise_reduction, again.microphone_volume) == (80, False, 90)


@pytest.mark.parametrize("variant", NAMESPACES, ids=str)
def test_channel_in_every_namespace(variant: str) -> None:
    """Same document, five namespace variants: same model, and write-back keeps the variant."""
    channel = TwoWayAudioChannel.from_xml(parse(CHANNEL.format(ns=NAMESPACES[variant])))
    assert channel.id == "2"
    assert channel.enabled is True  # "TRUE": some firmware capitalises
    assert channel.g711_codec == "alaw"
    assert (channel.speaker_volume, channel.microphone_volume) == (70, 90)
    assert channel.noise_reduction is False
    assert channel.audio_input_type == "LineIn"
    body = channel.to_xml(audio_compression_type="G.711ulaw", audio_input_type="MicIn")
    written = unsafe_fromstring(body)  # our own output: plain ElementTree is fine
    namespace = NAMESPACES[variant].partition('xmlns="')[2].partition('"')[0]
    expected_tag = f"{{{namespace}}}TwoWayAudioChannel" if namespace else "TwoWayAudioChannel"
    assert written.tag == expected_tag
    assert all(
        item.tag.startswith(expected_tag.removesuffix("TwoWayAudioChannel")) for item in written
    )
    assert b"keep me" in body
    assert b'a="1"' in body
    again = TwoWayAudioChannel.from_xml(parse(body))
    assert (again.audio_compression_type, again.audio_input_type) == ("G.711ulaw", "MicIn")
    assert channel == TwoWayAudioChannel.from_xml(parse(CHANNEL.format(ns=NAMESPACES[variant])))


def test_prefixed_and_mixed_namespaces() -> None:
    """A prefixed namespace and a child in another namespace (seen in Storage) still parse."""
    prefixed = (
        '<hik:TwoWayAudioChannelList xmlns:hik="http://www.hikvision.com/ver20/XMLSchema">'
        "<hik:TwoWayAudioChannel><hik:id>1</hik:id>"
        "<hik:audioCompressionType>G.711ulaw</hik:audioCompressionType>"
        "</hik:TwoWayAudioChannel>"
        '<TwoWayAudioChannel xmlns="http://www.hikvision.com/ver10/XMLSchema"><id>2</id>'
        "<audioCompressionType>G.726</audioCompressionType></TwoWayAudioChannel>"
        "</hik:TwoWayAudioChannelList>"
    )
    first, second = parse_two_way_audio_channels(parse(prefixed))
    assert (first.id, first.g711_codec, first.speaker_volume) == ("1", "mulaw", None)
    assert (second.id, second.g711_codec, second.noise_reduction) == ("2", None, None)
    assert second.enabled is False
    body = second.to_xml(speaker_volume=3).decode()
    assert 'xmlns="http://www.hikvision.com/ver10/XMLSchema"' in body
    assert "<speakerVolume>3</speakerVolume>" in body


def test_channel_list_may_be_a_single_channel_or_empty() -> None:
    """Some firmware answers the list with one bare channel; an empty list is no channels."""
    bare = CHANNEL.format(ns=NAMESPACES["none"])
    assert [c.id for c in parse_two_way_audio_channels(parse(bare))] == ["2"]
    assert parse_two_way_audio_channels(parse("<TwoWayAudioChannelList/>")) == ()
    with pytest.raises(IsapiResponseError, match="without an id"):
        parse_two_way_audio_channels(
            parse("<TwoWayAudioChannelList><TwoWayAudioChannel/></TwoWayAudioChannelList>")
        )
    with pytest.raises(IsapiResponseError, match="<DeviceInfo>"):
        parse_two_way_audio_channels(parse("<DeviceInfo/>"))


@pytest.mark.parametrize("variant", NAMESPACES, ids=str)
def test_capabilities(variant: str) -> None:
    """Option lists from `opt`, volume range from min/max, noise reduction offered."""
    caps = TwoWayAudioCapabilities.from_xml(parse(CAPABILITIES.format(ns=NAMESPACES[variant])))
    assert caps.channel_id == "1"
    assert caps.audio_compression_types == ("G.711ulaw", "G.711alaw", "G.726", "AAC")
    assert caps.g711_compression_types == ("G.711ulaw", "G.711alaw")
    assert caps.audio_input_types == ("MicIn", "LineIn")
    assert caps.speaker_volume_range == (0, 100)
    assert (caps.microphone_volume_min, caps.microphone_volume_max) == (1, 90)
    assert caps.noise_reduction_supported


def test_capabilities_sparse() -> None:
    """Missing elements give empty options and no range; `opt="false"` means unsupported."""
    caps = TwoWayAudioCapabilities.from_xml(
        parse(
            '<TwoWayAudioChannelCap><speakerVolume min="x" max="9"/>'
            '<noisereduce opt="false"/></TwoWayAudioChannelCap>'
        )
    )
    assert caps.audio_compression_types == ()
    assert caps.speaker_volume_range is None
    assert caps.speaker_volume_max == 9
    assert not caps.noise_reduction_supported
    assert caps.channel_id is None


def test_real_session_and_close_status() -> None:
    """The door station's 32-character session id; close's OK with an empty requestURL."""
    session_file = (
        REAL_DEVICES / "TwoWayAudio_open_TwoWayAudioSession_DS-KV8113__koush_scrypted-pr1400.xml"
    )
    session = TwoWayAudioSession.from_xml(parse(session_file.read_bytes()))
    assert session.session_id == "2ozk849ahx0xzbmvnj1ncnp3n53nn495"
    (close_file,) = real_files("TwoWayAudio_close_ResponseStatus_*.xml")
    status = ResponseStatus.from_xml(parse(close_file.read_bytes()))
    assert status.ok
    assert status.request_url is None
    assert TwoWayAudioSession.from_xml(parse(close_file.read_bytes())).session_id is None
    digits = TwoWayAudioSession.from_xml(
        parse("<TwoWayAudioSession><sessionId> 2093716360 </sessionId></TwoWayAudioSession>")
    )
    assert digits.session_id == "2093716360"
    with pytest.raises(IsapiResponseError, match="no session id"):
        TwoWayAudioSession.from_xml(parse("<TwoWayAudioSession/>"))


# error class, HTTP status, text in the message, the document's statusCode
REAL_STATUS_ERRORS = {
    "ResponseStatus_badXmlContent": (IsapiDeviceError, 400, "choose values", 6),
    "ResponseStatus_deviceError": (IsapiDeviceError, 500, "restart the device", 3),
    "ResponseStatus_invalidOperation_403_DS-7616NXI-K2": (
        IsapiDeviceError,
        403,
        "Invalid Operation",
        4,
    ),
    "ResponseStatus_methodNotAllowed_psia_DS-7608NI-E2": (
        IsapiNotSupportedError,
        405,
        "firmware",
        4,
    ),
    "ResponseStatus_notSupport_description_DS-2CD2387G3": (
        IsapiNotSupportedError,
        403,
        "SW_ONLINE_UPGRADE_SUP not support",
        4,
    ),
}


@pytest.mark.parametrize("path", real_files("ResponseStatus_*.xml"), ids=lambda p: p.name)
def test_real_error_statuses_map_to_typed_errors(path: Any) -> None:
    """Each real ResponseStatus becomes the error class the user can act on."""
    kind, http_status, text, status_code = REAL_STATUS_ERRORS[path.name.split("__")[0]]
    error = error_for_body(http_status, path.read_bytes(), action="doing a thing")
    assert type(error) is kind
    assert text in str(error)
    assert "doing a thing" in str(error)
    assert error.http_status == http_status
    assert error.status_code == status_code


def test_invalid_operation_on_open_means_busy() -> None:
    """On open (after our own close), "invalid operation" means someone else holds it."""
    path = (
        REAL_DEVICES
        / "ResponseStatus_invalidOperation_403_DS-7616NXI-K2__maciej-or_hikvision_next-issue154.xml"
    )
    error = error_for_body(403, path.read_bytes(), action="opening", open_means_busy=True)
    assert isinstance(error, IsapiBusyError)


def test_html_401_page_is_an_authentication_error() -> None:
    """The real HTML 401 page (not XML) maps to authentication, not a parse failure."""
    (page,) = real_files("http401_body_html_*.html")
    error = error_for_body(401, page.read_bytes(), action="reading the device information")
    assert isinstance(error, IsapiAuthenticationError)
    assert "user name or password" in str(error)


@pytest.mark.parametrize(
    ("http_status", "sub_status", "code", "kind"),
    [
        (503, "deviceBusy", 2, IsapiBusyError),
        (403, "invalidID", 4, IsapiInvalidIdError),
        (403, "invalidChannelID", 4, IsapiInvalidIdError),
        (403, "lowPrivilege", 4, IsapiAuthenticationError),
        (404, "notSupport", 4, IsapiNotSupportedError),
        (403, "invalidSessionID", 4, IsapiDeviceError),
        (503, None, None, IsapiBusyError),
        (404, None, None, IsapiNotSupportedError),
        (500, None, None, IsapiDeviceError),
        (302, None, None, IsapiResponseError),
    ],
)
def test_error_mapping_table(
    http_status: int, sub_status: str | None, code: int | None, kind: type[IsapiError]
) -> None:
    """Sub-status codes and bare HTTP statuses map to the documented classes."""
    status = None if code is None else ResponseStatus(code, "x", sub_status)
    error = error_for(http_status, status, action="testing")
    assert type(error) is kind
    assert error.sub_status_code == sub_status


@pytest.mark.parametrize(
    ("name", "body", "info"), device_info_documents(), ids=[d[0] for d in device_info_documents()]
)
def test_real_device_info(name: str, body: bytes, info: dict[str, Any]) -> None:
    """Every real deviceInfo (XML, issue capture, 15 diagnostics dumps) parses completely."""
    device = DeviceInfo.from_xml(parse(body))
    assert device.model
    assert device.serial_number
    assert device.mac_address == normalize_mac(device.mac_address)
    assert device.firmware_version
    if info:
        assert device.model == info["model"]
        assert device.serial_number == info["serialNumber"]
        assert device.mac_address == info["macAddress"].lower()
        assert device.device_type == info.get("deviceType")
        assert device.name == info.get("deviceName")


def test_door_station_device_info_details() -> None:
    """The villa door station: VIS type, sub type, isapi.org namespace."""
    by_name = {name: body for name, body, _ in device_info_documents()}
    door = DeviceInfo.from_xml(
        parse(
            by_name[
                "deviceInfo_DS-KV8213-WME1C_doorstation__maciej-or_hikvision_next-issue196.json"
            ]
        )
    )
    assert (door.device_type, door.sub_device_type) == ("VIS", "villaDoorStation")
    assert door.mac_address == "bc:5e:33:59:25:2f"
    camera = DeviceInfo.from_xml(
        parse(by_name["deviceInfo_DS-2CD2386G2-IU__maciej-or_hikvision_next.xml"])
    )
    assert (camera.name, camera.model, camera.firmware_version) == (
        "yard",
        "DS-2CD2386G2-IU",
        "V5.7.18",
    )
    assert camera.firmware_released_date == "build 240826"


def test_real_network_interfaces_and_mac_fallback() -> None:
    """The AX PRO's two interfaces; their MAC fills in for a deviceInfo without one."""
    (path,) = real_files("System_Network_interfaces_*.xml")
    interfaces = parse_network_interfaces(parse(path.read_bytes()))
    assert [(i.id, i.mac_address) for i in interfaces] == [
        ("1", "2c:a5:9c:cd:20:0a"),
        ("2", "60:1d:9d:b0:0f:fb"),
    ]
    assert interfaces[0].ip_address == "192.168.72.226"
    no_mac = parse("<DeviceInfo><model>M</model><serialNumber>S</serialNumber></DeviceInfo>")
    assert DeviceInfo.mac_of(no_mac) is None
    assert DeviceInfo.from_xml(no_mac, fallback_mac="2C-A5-9C-CD-20-0A").mac_address == (
        "2c:a5:9c:cd:20:0a"
    )
    with pytest.raises(IsapiResponseError, match="no MAC"):
        DeviceInfo.from_xml(no_mac)
    with pytest.raises(IsapiResponseError, match="serial"):
        DeviceInfo.from_xml(parse("<DeviceInfo><model>M</model></DeviceInfo>"))


@pytest.mark.parametrize(
    ("text", "law"),
    [
        ("G.711ulaw", "mulaw"),
        ("G.711alaw", "alaw"),
        ("G.711", "mulaw"),
        ("G711U", "mulaw"),
        ("g711_a", "alaw"),
        ("G.711 µlaw", None),
        ("PCMU", None),
        ("G.726", None),
        ("AAC", None),
        ("", None),
        (None, None),
    ],
)
def test_g711_law(text: str | None, law: str | None) -> None:
    """Codec names map to the G.711 law a talk session must send, or None."""
    assert g711_law(text) == law


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("A6:63:9E:F8:01:09", "a6:63:9e:f8:01:09"),
        ("a6-63-9e-f8-01-09", "a6:63:9e:f8:01:09"),
        ("a663.9ef8.0109", "a6:63:9e:f8:01:09"),
        ("a6639ef80109", "a6:63:9e:f8:01:09"),
        ("**:**:**:**:**:**", None),
        ("00:00:00:00:00:00", None),
        ("a6:63:9e", None),
        (None, None),
    ],
)
def test_normalize_mac(text: str | None, mac: str | None) -> None:
    """MACs come out lower-case and colon-separated; masked or empty ones are None."""
    assert normalize_mac(text) == mac


def test_entity_bomb_external_entity_and_size_are_refused() -> None:
    """DTDs are refused before any expansion; oversized documents before parsing."""
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{levels}]><d>&l9;</d>'
    with pytest.raises(IsapiResponseError, match="DTD"):
        parse(bomb)
    external = '<!DOCTYPE d [<!ENTITY s SYSTEM "file:///etc/passwd">]><d>&s;</d>'
    with pytest.raises(IsapiResponseError, match="DTD"):
        parse(external)
    with pytest.raises(IsapiResponseError, match="larger than"):
        parse(b"<a>" + b"x" * 300_000 + b"</a>")
    with pytest.raises(IsapiResponseError, match="not well-formed"):
        parse(b'<?xml version="1.0" encoding="klingon"?><a/>')
    with pytest.raises(IsapiResponseError, match="not well-formed"):
        parse(b"")


def _channel_list(count: int) -> Any:
    items = "".join(
        f"<TwoWayAudioChannel><id>{index}</id><enabled>false</enabled></TwoWayAudioChannel>"
        for index in range(1, count + 1)
    )
    return parse(f"<TwoWayAudioChannelList>{items}</TwoWayAudioChannelList>")


def test_channel_count_is_capped() -> None:
    """64 channels are taken; 2,000 (6,000 entities, 2,000 requests) are a typed error."""
    assert len(parse_two_way_audio_channels(_channel_list(64))) == 64
    with pytest.raises(IsapiTooManyChannelsError, match="2000 two-way audio channels"):
        parse_two_way_audio_channels(_channel_list(2000))


def test_device_text_in_an_error_is_cut() -> None:
    """A 57,858-character description is quoted in at most 200 characters."""
    body = (
        "<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation"
        f"</statusString><subStatusCode>notSupport</subStatusCode><description>{'x' * 57858}"
        "</description></ResponseStatus>"
    ).encode()
    error = error_for_body(403, body, action="closing")
    assert len(str(error)) < 500
    assert "Invalid Operation" in str(error)
