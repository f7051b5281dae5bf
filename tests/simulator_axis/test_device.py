"""The simulated Axis device: param.cgi, basicdeviceinfo.cgi, auth, power, control endpoints."""

from __future__ import annotations

from dataclasses import replace
import json

import aiohttp
import pytest

from simulator.axis import AxisAuth, AxisRelayNetwork, AxisSpeaker, AxisSpeakerConfig
from simulator.core import Fault, FaultKind

from .helpers import FAST, PASSWORD, USER, basic, relay, url


def lines(text: str) -> dict[str, str]:
    """param.cgi `key=value` lines as a mapping."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


async def test_param_groups(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """Groups (several, with or without `root.`), and the error line for a missing one."""
    device = network[0]
    query = "/axis-cgi/param.cgi?action=list&group=root.Properties,Brand,root.Nothing"
    async with http.get(url(device, query), headers=basic()) as answer:
        assert answer.status == 200
        text = await answer.text()
    values = lines(text)
    assert values["root.Properties.API.AudioRelay.Version"] == "1.2"
    assert values["root.Properties.System.SerialNumber"] == device.serial
    assert values["root.Properties.Audio.Source.A0.Output"] == "yes"
    assert values["root.Brand.ProdNbr"] == "C1410"
    assert not any(key.startswith("root.Network") for key in values)
    assert "# Error: Error -1 getting param in group 'root.Nothing'" in text


async def test_param_of_a_device_without_relay_or_speaker(http: aiohttp.ClientSession) -> None:
    """No relay API: the property is absent; no speaker: output no, duplex get only."""
    config = replace(FAST, relay_api_version=None, audio_output=False)
    async with AxisSpeaker(config) as device:
        async with http.get(
            url(device, "/axis-cgi/param.cgi?action=list"), headers=basic()
        ) as answer:
            values = lines(await answer.text())
        status, _ = await relay(http, device, "GetAudioPeers")
    assert "root.Properties.API.AudioRelay.Version" not in values
    assert values["root.Properties.Audio.Source.A0.Output"] == "no"
    assert values["root.Properties.Audio.DuplexMode"] == "get"
    assert status == 404


async def test_param_unsupported_action(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """An action other than list gets an error line."""
    async with http.get(
        url(network[0], "/axis-cgi/param.cgi?action=update"), headers=basic()
    ) as answer:
        assert (await answer.text()).startswith("# Error:")


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"{not json", "2101"),
        (json.dumps({"apiVersion": "2.0", "method": "getAllProperties"}).encode(), "2100"),
        (json.dumps({"apiVersion": "1.0", "method": "reboot"}).encode(), "2102"),
    ],
)
async def test_basic_device_info_errors(
    network: AxisRelayNetwork, http: aiohttp.ClientSession, document: bytes, code: str
) -> None:
    """JSON-CGI error envelopes carry their codes as strings."""
    async with http.post(
        url(network[0], "/axis-cgi/basicdeviceinfo.cgi"), data=document, headers=basic()
    ) as answer:
        envelope = await answer.json()
    assert envelope["error"]["code"] == code


async def test_basic_device_info(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """getAllProperties echoes the context; getSupportedVersions lists the version."""
    request = {"apiVersion": "1.0", "context": "t-1", "method": "getAllProperties"}
    async with http.post(
        url(network[1], "/axis-cgi/basicdeviceinfo.cgi"), json=request, headers=basic()
    ) as answer:
        document = await answer.json()
    assert document["context"] == "t-1"
    assert document["data"]["propertyList"]["SerialNumber"] == network[1].serial
    request = {"apiVersion": "1.0", "method": "getSupportedVersions"}
    async with http.post(
        url(network[1], "/axis-cgi/basicdeviceinfo.cgi"), json=request, headers=basic()
    ) as answer:
        assert (await answer.json())["data"]["apiVersions"] == ["1.1"]


async def test_old_firmware_has_no_basic_device_info(http: aiohttp.ClientSession) -> None:
    """basic_device_info=False: 404, like firmware before the API existed."""
    async with (
        AxisSpeaker(replace(FAST, basic_device_info=False)) as device,
        http.post(url(device, "/axis-cgi/basicdeviceinfo.cgi"), json={}, headers=basic()) as answer,
    ):
        assert answer.status == 404


@pytest.mark.parametrize(
    ("auth", "schemes"),
    [
        (AxisAuth.BASIC_DIGEST, ["Basic", "Digest"]),
        (AxisAuth.DIGEST, ["Digest"]),
        (AxisAuth.BASIC, ["Basic"]),
    ],
)
async def test_challenges(http: aiohttp.ClientSession, auth: AxisAuth, schemes: list[str]) -> None:
    """The 401 lists what the device accepts; Basic credentials work where Basic is offered."""
    async with AxisSpeaker(replace(FAST, auth=auth)) as device:
        target = url(device, "/axis-cgi/param.cgi?action=list")
        async with http.get(target) as answer:
            assert answer.status == 401
            offered = answer.headers.getall("WWW-Authenticate")
        async with http.get(target, headers=basic()) as answer:
            basic_status = answer.status
        async with http.get(target, headers=basic(password="wrong")) as answer:
            wrong_status = answer.status
    assert [value.split()[0] for value in offered] == schemes
    assert basic_status == (200 if "Basic" in schemes else 401)
    assert wrong_status == 401


async def test_digest_with_an_independent_client(http: aiohttp.ClientSession) -> None:
    """aiohttp's own Digest implementation is accepted."""
    async with AxisSpeaker(replace(FAST, auth=AxisAuth.DIGEST)) as device:
        async with (
            aiohttp.ClientSession(
                middlewares=(aiohttp.DigestAuthMiddleware(USER, PASSWORD),)
            ) as digest,
            digest.get(url(device, "/axis-cgi/param.cgi?action=list")) as answer,
        ):
            assert answer.status == 200
        assert device.server is not None
        assert device.server.authenticator.counts["digest"] == 1


async def test_restart_keeps_port_configuration_and_faults(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """Off and on again: same port, same relay view, same recordings and faults."""
    device = network[0]
    await relay(http, device, "SetAudioPeerConfigurations", {"Configuration": [
        {"Id": "me", "Address": {"MAC": device.mac}, "Leader": True}]})  # fmt: skip
    device.faults.add(Fault(FaultKind.STATUS, path="/axis-cgi/param.cgi", status=503))
    port = device.port
    await device.stop()
    assert not device.running
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(url(device, "/axis-cgi/param.cgi?action=list")):
            pass
    await device.start()
    assert device.port == port
    _, answer = await relay(http, device, "GetAudioPeers")
    assert [p["Configuration"]["Id"] for p in answer["Peer"]] == ["me"]
    async with http.get(url(device, "/axis-cgi/param.cgi?action=list"), headers=basic()) as reply:
        assert reply.status == 503


async def test_control_state(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """/simulator/state shows the relay view and never the password."""
    async with http.get(url(network[0], "/simulator/state")) as answer:
        state = await answer.json()
    assert state["leader"] is False
    assert state["output_gain"] == {"AudioSource.A0.OutputGain": "0"}
    async with http.get(url(network[0], "/simulator/stats")) as answer:
        text = await answer.text()
    assert PASSWORD not in text
    assert json.loads(text)["device"]["serial"] == network[0].serial


def test_configuration_is_checked() -> None:
    """A serial must be 12 hex digits, the address an IP, the volume range include 0."""
    with pytest.raises(ValueError, match="12 hex digits"):
        AxisSpeakerConfig(serial="XYZ")
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        AxisSpeakerConfig(address="speaker.local")
    with pytest.raises(ValueError, match="include 0"):
        AxisSpeakerConfig(volume_min=1)
    assert AxisSpeakerConfig(serial="ac:cc:8e:00:00:01").mac == "AC:CC:8E:00:00:01"
    assert "password" not in repr(AxisSpeakerConfig())


def test_one_network_per_serial_and_address() -> None:
    """Two devices with one serial (or one address) cannot share a LAN."""
    with pytest.raises(ValueError, match="serial"):
        AxisRelayNetwork(configs=[FAST, replace(FAST, address="192.0.2.99")])
    with pytest.raises(ValueError, match="address"):
        AxisRelayNetwork(configs=[FAST, replace(FAST, serial="ACCC8E000009")])
