"""Fixed-seed property-based fuzzing of every response parser.

Whatever a device sends, a parser returns a model or raises VapixResponseError; fault
detection never raises at all. Keys are drawn from the real field names half of the time so
that the fuzzing reaches deep into the documents.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import json
import string

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.talkback.vapix import (
    AxisDeviceInfo,
    AxisParameters,
    GainDefinition,
    RelayCapabilities,
    RelayConnectionStatus,
    RelayNetwork,
    RelayPeer,
    SoundConfiguration,
    VapixError,
    VapixResponseError,
    VolumeRange,
)
from custom_components.talkback.vapix.faults import error_for_status, fault_from_json, find_fault
from custom_components.talkback.vapix.models import (
    Gain,
    parse_discovered_peers,
    parse_multicast_group,
    parse_peer_ids,
    parse_peer_statuses,
)
from custom_components.talkback.vapix.parsing import decode_json

FUZZ = settings(
    derandomize=True,  # a fixed seed per test: the same examples on every run
    database=None,
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

KEYS = (
    "data", "propertyList", "SerialNumber", "ProdNbr", "ProdShortName", "ProdFullName",
    "ProdType", "Version", "Brand", "Capabilities", "MasterVolumeRanges", "Unit", "MinValue",
    "MaxValue", "Peer", "Configuration", "Id", "Name", "Address", "IPAddress", "MAC", "Leader",
    "Credentials", "User", "Password", "OutputGain", "OutPutGain", "Value", "MetaData", "Type",
    "ConnectionStatus", "OutputGainDefinitions", "Range", "AudioNetworkConfiguration",
    "MulticastEnabled", "MulticastGroup", "Description", "PeerStatus", "AudioPeerId",
    "MasterVolume", "MasterVolumeUnit", "MasterVolumeMute", "error", "code", "message",
    "Fault", "FaultCode", "FaultSubCode", "FaultReason", "FaultMsg",
)  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["true", "no", "Online", "Mute", "-57", "1.2", "AC:CC:8E:00:00:01"])
)
keys = st.sampled_from(KEYS) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=30,
)
documents = st.dictionaries(keys, json_values, max_size=6)

PARSERS: dict[str, Callable[[object], object]] = {
    "basicdeviceinfo": lambda data: AxisDeviceInfo.from_json(data, AxisParameters({})),
    "GetServiceCapabilities": RelayCapabilities.from_json,
    "GetAudioPeers": RelayNetwork.from_json,
    "GetAudioPeerStatus": parse_peer_statuses,
    "GetDiscoveredAudioPeers": parse_discovered_peers,
    "GetSoundConfiguration": SoundConfiguration.from_json,
    "AudioPeerId": parse_peer_ids,
    "MulticastGroup": parse_multicast_group,
    "AudioPeerConfiguration": RelayPeer.from_json,
    "GainDefinition": GainDefinition.from_json,
    "Gain": Gain.from_json,
    "Range": VolumeRange.from_json,
}


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(data=json_values | documents)
def test_json_parsers_fail_only_with_response_errors(name: str, data: object) -> None:
    """Any decoded JSON gives a model or a VapixResponseError, nothing else."""
    with contextlib.suppress(VapixResponseError):
        PARSERS[name](data)


@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_decode_json_fails_only_with_response_errors(body: bytes) -> None:
    """Bytes that are not JSON become a VapixResponseError."""
    with contextlib.suppress(VapixResponseError):
        decode_json(body, "fuzz")


param_lines = st.lists(
    st.one_of(
        st.builds(
            "{}={}".format,
            st.sampled_from(
                [
                    "root.Properties.API.AudioRelay.Version",
                    "root.Properties.Audio.Audio",
                    "root.Properties.Audio.DuplexMode",
                    "root.Properties.Audio.Source.A0.Output",
                    "root.Properties.System.SerialNumber",
                ]
            ),
            st.text(string.printable, max_size=12),
        ),
        st.text(max_size=40),
        st.sampled_from(["[Properties.Audio]", 'Audio = "yes"', "# Error: Error -1", "="]),
    ),
    max_size=20,
)


@FUZZ
@given(
    text=param_lines.map("\n".join),
    raw=st.binary(max_size=200),
)
def test_parameter_parser_never_fails(text: str, raw: bytes) -> None:
    """Any listing parses; identity from it is a model or a VapixResponseError."""
    for body in (text, text.encode(), raw):
        parameters = AxisParameters.from_text(body)
        assert isinstance(parameters.has_audio_output, bool)
        with contextlib.suppress(VapixResponseError):
            AxisDeviceInfo.from_parameters(parameters)


xml_faults = st.builds(
    "<env:Envelope xmlns:env='urn:e'><env:Body><env:Fault>{}</env:Fault></env:Body></env:Envelope>".format,
    st.text(max_size=80),
)


@FUZZ
@given(
    body=st.binary(max_size=200)
    | documents.map(lambda d: json.dumps(d).encode())
    | xml_faults.map(str.encode),
    status=st.integers(min_value=100, max_value=599),
)
def test_fault_detection_never_fails(body: bytes, status: int) -> None:
    """Any answer maps to None or a VapixError, whatever the status and body."""
    fault = find_fault(body)
    if fault is not None:
        assert isinstance(fault.to_error("fuzz"), VapixError)
    error = error_for_status(status, body, "fuzz")
    assert error is None or isinstance(error, VapixError)
    if status >= 300:
        assert error is not None


@FUZZ
@given(data=json_values)
def test_fault_from_json_never_fails(data: object) -> None:
    """A fault is found or not, never an exception."""
    fault_from_json(data)


@FUZZ
@given(status=st.text(min_size=1, max_size=20))
def test_unknown_connection_status_is_kept(status: str) -> None:
    """The non-normative enum keeps any text as it came."""
    value = RelayConnectionStatus(status)
    assert value == status
    assert value.is_known == (status in {member.value for member in RelayConnectionStatus})


@FUZZ
@given(
    peer=st.builds(
        RelayPeer,
        id=st.text(max_size=64),
        name=st.none() | st.text(max_size=10),
        ip_address=st.none() | st.ip_addresses().map(str),
        mac=st.none() | st.sampled_from(["00:40:8C:18:00:01", "AC:CC:8E:5A:00:02"]),
        leader=st.none() | st.booleans(),
        output_gain=st.lists(
            st.builds(Gain, name=st.text(min_size=1, max_size=8), value=st.text(max_size=4)),
            max_size=2,
        ).map(tuple),
        username=st.none() | st.text(max_size=8),
        password=st.none() | st.text(max_size=8),
    )
)
def test_peer_configuration_round_trip(peer: RelayPeer) -> None:
    """What the client sends reads back the same, except the password, which never returns."""
    encoded = json.loads(json.dumps(peer.to_json()))
    decoded = RelayPeer.from_json(encoded)
    assert decoded.id == peer.id
    assert decoded.name == peer.name
    assert (decoded.ip_address, decoded.mac) == (peer.ip_address or None, peer.mac)
    assert decoded.leader == peer.leader
    assert decoded.output_gain == peer.output_gain
    assert decoded.password is None
    assert decoded.username == peer.username
    assert "password" not in repr(peer)
