"""The parsers against every payload in real-devices/axis/ that belongs to the VAPIX endpoints.

param.cgi listings, a server report, basicdeviceinfo, a JSON-CGI error envelope and the
vendor's relay examples; the first three are also served over HTTP to the real client.
(apidiscovery_getApiList is not an endpoint this client uses.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
import re

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.talkback.vapix import (
    AxisDeviceInfo,
    AxisParameters,
    RelayConnectionStatus,
    RelayNetwork,
    VapixClient,
    VapixCommandError,
    VapixResponseError,
    normalize_mac,
)
from custom_components.talkback.vapix.faults import error_for_status, find_fault
from custom_components.talkback.vapix.models import parse_peer_statuses
from custom_components.talkback.vapix.parsing import decode_json

from .helpers import REAL_DEVICES

PARAM_LIST = REAL_DEVICES / "param_cgi_list_root__Kane610_axis.txt"
SERVER_REPORT = REAL_DEVICES / "serverreport_paramlist_P5534__b01xy_astroflux.txt"
BASIC_DEVICE_INFO = REAL_DEVICES / "basicdeviceinfo_getAllProperties_M1065-LW__Kane610_axis.json"
ERROR_ENVELOPE = REAL_DEVICES / "json_api_error_envelope_vmd4__Kane610_axis.json"
DOC_PEER_STATUS = (
    REAL_DEVICES
    / "vendor-doc-examples/axar_GetAudioPeerStatus_response__VENDORDOC_developer.axis.com.json"
)
DOC_PEERS = (
    REAL_DEVICES
    / "vendor-doc-examples/axar_GetAudioPeers_response__VENDORDOC_developer.axis.com.txt"
)


def test_param_cgi_listing_of_a_camera() -> None:
    """M1065-LW: half duplex with a speaker output, no relay API, serial = the eth0 MAC."""
    parameters = AxisParameters.from_text(PARAM_LIST.read_bytes())
    assert parameters.get("root.Brand.ProdFullName") == "AXIS M1065-LW Network Camera"
    assert parameters.get("Properties.Audio.DuplexMode") == "half,post,get"
    assert parameters.has_audio_output
    assert "g711" in parameters.audio_decoder_formats
    assert parameters.relay_api_version is None
    info = AxisDeviceInfo.from_parameters(parameters)
    assert info.serial_number == "ACCC12345678"
    assert info.mac_address == "ac:cc:12:34:56:78"
    assert info.mac_address == normalize_mac(parameters.get("Network.eth0.MACAddress") or "")
    assert (info.model, info.firmware_version) == ("M1065-LW", "9.10.1")
    assert info.product_type == "Network Camera"
    assert not info.relay_api_supported


def test_server_report_of_an_old_ptz_camera() -> None:
    """P5534 on 5.40: the INI-style listing, full duplex, no Source.Output keys at all."""
    parameters = AxisParameters.from_text(SERVER_REPORT.read_bytes())
    assert parameters.get("Network.HTTP.AuthenticationPolicy") == "basic_digest"
    assert parameters.get("Properties.Audio.DuplexMode") == "full,half,post,get"
    assert parameters.has_audio_output
    info = AxisDeviceInfo.from_parameters(parameters)
    assert info.serial_number == "00408CF688E4"
    assert info.mac_address == "00:40:8c:f6:88:e4"
    assert info.mac_address == normalize_mac(parameters.get("Network.eth0.MACAddress") or "")
    assert (info.model, info.firmware_version) == ("P5534", "5.40.9.5")
    assert info.product_name == "AXIS P5534 PTZ Dome Network Camera"


def test_basic_device_info_of_a_camera() -> None:
    """basicdeviceinfo wins for identity; param.cgi still says whether audio can play."""
    parameters = AxisParameters.from_text(PARAM_LIST.read_bytes())
    info = AxisDeviceInfo.from_json(json.loads(BASIC_DEVICE_INFO.read_text()), parameters)
    assert info.serial_number == "ACCC12345678"
    assert info.mac_address == "ac:cc:12:34:56:78"
    assert info.firmware_version == "9.80.1"  # param.cgi of an older capture says 9.10.1
    assert (info.model, info.brand) == ("M1065-LW", "AXIS")
    assert info.has_audio_output
    assert info.relay_api_version is None


def test_error_envelope_code_is_a_string() -> None:
    """`"code": "2000"` stays the string "2000" and becomes a command error."""
    body = ERROR_ENVELOPE.read_bytes()
    fault = find_fault(body)
    assert fault is not None
    assert fault.code == "2000"
    error = error_for_status(200, body, "getConfiguration")
    assert isinstance(error, VapixCommandError)
    assert error.code == "2000"
    assert "not supported" in str(error)


def test_vendor_peer_status_example() -> None:
    """The document's GetAudioPeerStatus answer, free-text ids and all."""
    statuses = parse_peer_statuses(decode_json(DOC_PEER_STATUS.read_bytes(), "doc"))
    assert [(s.id, s.connection_status) for s in statuses] == [
        ("AudioPeer_02", RelayConnectionStatus.OFFLINE),
        ("AudioPeer_01", RelayConnectionStatus.ONLINE),
    ]


def test_vendor_get_audio_peers_example() -> None:
    """The document's elided example is not JSON; with the elision removed it parses."""
    text = DOC_PEERS.read_text()
    with pytest.raises(VapixResponseError):
        decode_json(text.encode(), "GetAudioPeers")
    network = RelayNetwork.from_json(json.loads(re.sub(r"\.\.\. ,\s*", "", text)))
    leader, follower = network.peers
    assert network.leader is leader
    assert (leader.id, leader.product_type, leader.configuration.mac) == (
        "1",
        "C2005",
        "00:40:8C:18:00:00",
    )
    assert (follower.id, follower.product_type, follower.leader) == ("2", "C1004-E", False)
    assert follower.connection_status is RelayConnectionStatus.ONLINE
    assert follower.configuration.username == "root"
    assert follower.configuration.password is None
    assert follower.configuration.output_gain[0].value == "0"
    definition = follower.gain_definition("AudioSource.A0.OutputGain")
    assert definition is not None
    assert definition.values == ("Mute", "-57", "6")
    assert definition.allows("Mute")
    assert definition.allows("6")
    assert not definition.allows("7")


type Handler = Callable[[web.Request], Awaitable[web.Response]]


async def device_info_from(param: Handler, basic_device_info: Handler) -> AxisDeviceInfo:
    """Run the real client's device_info() against a server made of two handlers."""
    app = web.Application()
    app.router.add_get("/axis-cgi/param.cgi", param)
    app.router.add_post("/axis-cgi/basicdeviceinfo.cgi", basic_device_info)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        client = VapixClient(session, "127.0.0.1", port=server.port, username="root", password="x")
        return await client.device_info()


async def test_client_reads_real_payloads_over_http(socket_enabled: None) -> None:
    """The real client on a server that answers with the captured bytes."""

    async def param(request: web.Request) -> web.Response:
        assert request.query["action"] == "list"
        if request.query["group"] == "root.Brand":
            return web.Response(text="")
        return web.Response(body=PARAM_LIST.read_bytes(), content_type="text/plain")

    async def basic_device_info(request: web.Request) -> web.Response:
        assert (await request.json())["method"] == "getAllProperties"
        return web.Response(body=BASIC_DEVICE_INFO.read_bytes(), content_type="application/json")

    info = await device_info_from(param, basic_device_info)
    assert info.serial_number == "ACCC12345678"
    assert info.firmware_version == "9.80.1"
    assert info.has_audio_output


async def test_client_falls_back_to_param_cgi_on_an_error_envelope(socket_enabled: None) -> None:
    """A basicdeviceinfo error envelope (the captured one) makes param.cgi the identity."""

    async def param(request: web.Request) -> web.Response:
        if request.query["group"] == "root.Brand":
            brand = [line for line in PARAM_LIST.read_text().splitlines() if "Brand." in line]
            return web.Response(text="\n".join(brand))
        return web.Response(body=PARAM_LIST.read_bytes())

    async def basic_device_info(request: web.Request) -> web.Response:
        return web.Response(body=ERROR_ENVELOPE.read_bytes(), content_type="application/json")

    info = await device_info_from(param, basic_device_info)
    assert (info.serial_number, info.model, info.firmware_version) == (
        "ACCC12345678",
        "M1065-LW",
        "9.10.1",
    )
