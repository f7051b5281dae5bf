"""Fixed-seed fuzzing of the parsers: any bytes give a model or a typed error, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.talkback.isapi.exceptions import IsapiError
from custom_components.talkback.isapi.models import (
    DeviceInfo,
    ResponseStatus,
    TwoWayAudioCapabilities,
    TwoWayAudioChannel,
    TwoWayAudioSession,
    parse_network_interfaces,
    parse_two_way_audio_channels,
)
from custom_components.talkback.isapi.status import error_for_body
from custom_components.talkback.isapi.xml import local_name, parse_document

from .realdata import REAL_DEVICES, device_info_documents

PARSERS: dict[str, Callable[[Element], Any]] = {
    "device_info": DeviceInfo.from_xml,
    "channels": parse_two_way_audio_channels,
    "channel": TwoWayAudioChannel.from_xml,
    "capabilities": TwoWayAudioCapabilities.from_xml,
    "session": TwoWayAudioSession.from_xml,
    "interfaces": parse_network_interfaces,
    "status": ResponseStatus.from_xml,
}
NAMES = [
    "TwoWayAudioChannelList", "TwoWayAudioChannel", "TwoWayAudioChannelCap",
    "TwoWayAudioSession", "DeviceInfo", "NetworkInterfaceList", "NetworkInterface",
    "ResponseStatus", "Link", "MACAddress", "id", "enabled", "audioCompressionType",
    "speakerVolume", "noisereduce", "audioInputType", "sessionId", "model", "serialNumber",
    "macAddress", "statusCode", "subStatusCode", "description", "unknownThing",
]  # fmt: skip
NAMESPACES = [None, "http://www.hikvision.com/ver20/XMLSchema", "urn:psialliance-org"]
SEEDS = [
    path.read_bytes()
    for pattern in ("TwoWayAudio_*.xml", "ResponseStatus_*.xml", "System_Network_*.xml")
    for path in sorted(REAL_DEVICES.glob(pattern))
] + [body for _, body, _ in device_info_documents()[:3]]

FUZZ = settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def parse_each(body: bytes) -> list[object]:
    """Run every parser; each gives a model or an IsapiError (any other exception fails)."""
    results: list[object] = []
    for parser in PARSERS.values():
        try:
            results.append(parser(parse_document(body, what="a fuzzed document")))
        except IsapiError as err:
            results.append(err)
    for status in (200, 401, 403, 503):
        assert isinstance(error_for_body(status, body, action="fuzzing"), IsapiError)
    return results


def check_round_trip(results: list[object]) -> None:
    """A channel that parsed is written back and re-read to the same values."""
    for result in results:
        channels = result if isinstance(result, tuple) else (result,)
        for channel in channels:
            if isinstance(channel, TwoWayAudioChannel):
                again = TwoWayAudioChannel.from_xml(parse_document(channel.to_xml(), what="x"))
                assert _fields(again) == {**_fields(channel), "enabled": False}


def _fields(channel: TwoWayAudioChannel) -> dict[str, Any]:
    """The compared fields (not the kept XML element)."""
    return {item.name: getattr(channel, item.name) for item in fields(channel) if item.compare}


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes(body: bytes) -> None:
    """Random bytes."""
    parse_each(body)


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.integers(min_value=0, max_value=4096),
    st.integers(min_value=0, max_value=64),
    st.binary(max_size=64),
)
def test_mutated_real_payloads(seed: bytes, position: int, cut: int, insert: bytes) -> None:
    """Real payloads with a slice replaced by random bytes (truncations included)."""
    position %= len(seed) + 1
    check_round_trip(parse_each(seed[:position] + insert + seed[position + cut :]))


def _tree(draw: st.DrawFn, depth: int = 0) -> Element:
    namespace = draw(st.sampled_from(NAMESPACES))
    name = draw(st.sampled_from(NAMES))
    element = Element(f"{{{namespace}}}{name}" if namespace else name)
    for attribute in draw(st.lists(st.sampled_from(["version", "opt", "min", "max"]), max_size=2)):
        element.set(attribute, draw(st.text(max_size=12)))
    text_alphabet = st.characters(blacklist_categories=["Cs", "Cc"], whitelist_characters="\r\n\t")
    element.text = draw(
        st.one_of(
            st.none(),
            st.text(alphabet=text_alphabet, max_size=20),
            st.sampled_from(["1", "true", "G.711alaw", "-5", " 70 "]),
        )
    )
    if depth < 3:
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            element.append(_tree(draw, depth + 1))
    return element


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """Well-formed documents built from ISAPI element names, namespaces and odd values."""
    root = _tree(draw)
    if draw(st.booleans()):
        SubElement(root, "id").text = draw(st.sampled_from(["1", "", "x"]))
    return tostring(root)


@FUZZ
@given(documents())
def test_structured_documents(body: bytes) -> None:
    """Plausible but arbitrary documents: models or typed errors; channels round-trip."""
    check_round_trip(parse_each(body))


FIELD_NAMES = ["enabled", "audioCompressionType", "speakerVolume", "noisereduce", "audioInputType"]
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], whitelist_characters="\r\n\t"),
    max_size=12,
)


@st.composite
def channel_documents(draw: st.DrawFn) -> bytes:
    """A `<TwoWayAudioChannel>` with an id, known fields and unknown ones, odd text included."""
    namespace = draw(st.sampled_from(NAMESPACES))

    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}" if namespace else name

    root = Element(tag("TwoWayAudioChannel"), version="2.0")
    SubElement(root, tag("id")).text = draw(
        st.text(alphabet="0123456789ab", min_size=1, max_size=3)
    )
    for name in draw(st.lists(st.sampled_from([*FIELD_NAMES, "vendorExtra"]), max_size=7)):
        SubElement(root, tag(name), opt=draw(TEXT)).text = draw(TEXT)
    return tostring(root)


@FUZZ
@given(
    channel_documents(),
    st.one_of(st.none(), st.integers(-5, 200)),
    st.one_of(st.none(), TEXT.filter(str.strip)),
    st.one_of(st.none(), st.booleans()),
)
def test_channel_write_back_round_trips(
    body: bytes, volume: int | None, codec: str | None, noise: bool | None
) -> None:
    """Written back with changes, a channel reads as the changes applied to what was read."""
    channel = TwoWayAudioChannel.from_xml(parse_document(body, what="x"))
    written = channel.to_xml(
        speaker_volume=volume, audio_compression_type=codec, noise_reduction=noise
    )
    again = TwoWayAudioChannel.from_xml(parse_document(written, what="x"))
    expected = {**_fields(channel), "enabled": False}
    if volume is not None:
        expected["speaker_volume"] = volume
    if codec is not None:
        expected["audio_compression_type"] = codec.strip()
    if noise is not None:
        expected["noise_reduction"] = noise
    assert _fields(again) == expected
    assert _unknown(written) == _unknown(body)


def _unknown(body: bytes) -> list[tuple[str, dict[str, str], str | None]]:
    """Elements the model does not read: name, attributes and text, in order."""
    root = parse_document(body, what="x")
    return [
        (local_name(item.tag), dict(item.attrib), item.text)
        for item in root
        if local_name(item.tag) not in {*FIELD_NAMES, "id"}
    ]
