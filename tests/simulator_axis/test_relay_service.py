"""The simulated relay service: the document's rules, faults, statuses and views."""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from simulator.axis import (
    AUTHENTICATION_FAILED,
    IN_OTHER_PEER_NETWORK,
    INITIATING,
    OFFLINE,
    ONLINE,
    AxisRelayNetwork,
    AxisSpeaker,
    FaultStyle,
)

from .helpers import FAST, PASSWORD, basic, peer, relay, statuses, url, wait_status


async def setup(http: aiohttp.ClientSession, network: AxisRelayNetwork) -> list[str]:
    """Device 0 leads devices 1 and 2."""
    status, answer = await relay(http, network[0], "SetAudioPeerConfigurations", {
        "Configuration": [peer(network[0], leader=True), peer(network[1]), peer(network[2])]})  # fmt: skip
    assert status == 200
    return answer["AudioPeerId"]


@pytest.mark.parametrize(
    ("configuration", "reason"),
    [
        ([{"Address": {"IPAddress": "192.0.2.10"}}], "exactly one leader"),
        ([{"Address": {"IPAddress": "192.0.2.10"}, "Leader": True},
          {"Address": {"IPAddress": "192.0.2.11"}, "Leader": True}], "exactly one leader"),
        ([{"Address": {"IPAddress": "192.0.2.11"}, "Leader": True}], "receiving device"),
        ([{"Address": {"MAC": "00408C180001"}, "Leader": True}], "Invalid MAC"),
        ([{"Address": {"IPAddress": "speaker"}, "Leader": True}], "Invalid IPAddress"),
        ([{"Id": "x" * 65, "Address": {"IPAddress": "192.0.2.10"}, "Leader": True}], "longer than 64"),
        ([{"Id": "a", "Address": {"IPAddress": "192.0.2.10"}, "Leader": True},
          {"Id": "a", "Address": {"IPAddress": "192.0.2.11"}}], "Duplicate"),
        ([{"Address": {"IPAddress": "192.0.2.10"}, "Leader": True}, {"Name": "nowhere"}], "no address"),
        ([{"Address": {"IPAddress": "192.0.2.10"}, "Leader": True,
           "OutputGain": [{"Name": "AudioSource.A0.OutputGain", "Value": "7"}]}], "Invalid gain"),
    ],
)  # fmt: skip
async def test_network_rules(
    network: AxisRelayNetwork,
    http: aiohttp.ClientSession,
    configuration: list[object],
    reason: str,
) -> None:
    """Every refusal is a 400 SOAP-style fault env:Sender / ter:InvalidArgVal."""
    status, fault = await relay(
        http, network[0], "SetAudioPeerConfigurations", {"Configuration": configuration}
    )
    assert status == 400
    assert (fault["Fault"], fault["FaultCode"]) == ("env:Sender", "ter:InvalidArgVal")
    assert reason in fault["FaultReason"]
    assert network[0].relay.peers == []


async def test_malformed_requests(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """Bad JSON and wrong shapes are ter:InvalidArgs; unknown actions ter:ActionNotSupported."""
    async with http.post(
        url(network[0], "/vapix/audiorelay"), data=b"{", headers=basic()
    ) as answer:
        assert answer.status == 400
        assert (await answer.json())["FaultCode"] == "ter:InvalidArgs"
    status, fault = await relay(http, network[0], "Reboot")
    assert (status, fault["Fault"], fault["FaultCode"]) == (
        500,
        "env:Receiver",
        "ter:ActionNotSupported",
    )
    status, fault = await relay(http, network[0], "GetAudioPeers", ["not", "an", "object"])
    assert (status, fault["FaultCode"]) == (400, "ter:InvalidArgs")


async def test_soap_fault_style(http: aiohttp.ClientSession) -> None:
    """fault_style=soap answers with a SOAP 1.2 env:Fault document."""
    async with (
        AxisSpeaker(replace(FAST, fault_style=FaultStyle.SOAP)) as device,
        http.post(
            url(device, "/vapix/audiorelay"),
            json={"axar:RemoveAudioPeer": {"AudioPeerId": "x"}},
            headers=basic(),
        ) as answer,
    ):
        assert answer.status == 400
        root = ET.fromstring(await answer.read())
    env = "{http://www.w3.org/2003/05/soap-envelope}"
    values = [node.text for node in root.iter(f"{env}Value")]
    assert values == ["env:Sender", "ter:InvalidArgVal"]
    assert next(root.iter(f"{env}Text")).text == "Supplied ID is invalid"


async def test_statuses_track_followers(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """Initiating, Online; Offline while switched off; AuthenticationFailed; recovery."""
    ids = await setup(http, network)
    assert (await statuses(http, network[0]))[ids[0]] == ONLINE
    await wait_status(http, network[0], ids[1], ONLINE)
    await network[2].stop()
    await wait_status(http, network[0], ids[2], OFFLINE)
    await network[2].start()
    await wait_status(http, network[0], ids[2], ONLINE)
    status, _ = await relay(http, network[0], "SetAudioPeerConfiguration", {
        "Configuration": {"Id": ids[1], "Credentials": {"User": "root", "Password": "nope"}}})  # fmt: skip
    assert status == 200
    await wait_status(http, network[0], ids[1], AUTHENTICATION_FAILED)


async def test_initiating_before_the_first_check(http: aiohttp.ClientSession) -> None:
    """A leader that has not checked yet reports its followers Initiating."""
    async with AxisRelayNetwork(2, template=replace(FAST, link_delay=60.0)) as network:
        ids = await setup_two(http, network)
        assert await statuses(http, network[0]) == {ids[0]: ONLINE, ids[1]: INITIATING}
        assert await statuses(http, network[1]) == {}  # not claimed: no view at all


async def setup_two(http: aiohttp.ClientSession, network: AxisRelayNetwork) -> list[str]:
    """Device 0 leads device 1."""
    _, answer = await relay(http, network[0], "SetAudioPeerConfigurations", {
        "Configuration": [peer(network[0], leader=True), peer(network[1])]})  # fmt: skip
    return answer["AudioPeerId"]


async def test_in_other_peer_network(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """A follower claimed by one leader, or a device leading its own network, is taken."""
    ids = await setup_two(http, network)
    await wait_status(http, network[0], ids[1], ONLINE)
    _, answer = await relay(http, network[2], "SetAudioPeerConfigurations", {
        "Configuration": [peer(network[2], leader=True), peer(network[1]), peer(network[0])]})  # fmt: skip
    second = answer["AudioPeerId"]
    await wait_status(http, network[2], second[1], IN_OTHER_PEER_NETWORK)
    await wait_status(http, network[2], second[2], IN_OTHER_PEER_NETWORK)  # leads its own
    assert (await statuses(http, network[0]))[ids[1]] == ONLINE


async def test_followers_adopt_the_view_and_leave_it(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """An Online follower answers with the leader's view; removed, it has none."""
    ids = await setup(http, network)
    await wait_status(http, network[0], ids[2], ONLINE)
    _, view = await relay(http, network[1], "GetAudioPeers")
    assert [p["Configuration"]["Id"] for p in view["Peer"]] == ids
    assert await statuses(http, network[1]) == dict.fromkeys(ids, ONLINE)
    status, _ = await relay(http, network[0], "RemoveAudioPeer", {"AudioPeerId": ids[1]})
    assert status == 200
    _, view = await relay(http, network[1], "GetAudioPeers")
    assert view == {"Peer": []}


async def test_remove_rules(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """Unknown ids and the receiving device itself cannot be removed."""
    ids = await setup(http, network)
    status, fault = await relay(http, network[0], "RemoveAudioPeer", {"AudioPeerId": ids[0]})
    assert (status, fault["FaultReason"]) == (400, "The receiving device cannot remove itself")
    status, fault = await relay(http, network[0], "RemoveAudioPeer", {"AudioPeerId": "zz"})
    assert (status, fault["FaultReason"]) == (400, "Supplied ID is invalid")


async def test_add_and_modify(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """No id adds (generated id, follower); a known id modifies only what is given."""
    await setup_two(http, network)
    status, answer = await relay(http, network[0], "SetAudioPeerConfiguration", {
        "Configuration": {"Name": "lobby speaker left", "Address": {"IPAddress": network[2].address}}})  # fmt: skip
    assert status == 200
    new_id = answer["AudioPeerId"]
    _, answer = await relay(http, network[0], "SetAudioPeerConfiguration", {
        "Configuration": {"Id": new_id, "OutputGain": [{"Name": "AudioSource.A0.OutputGain", "Value": "Mute"}],
                          "Address": {}}})  # fmt: skip
    _, view = await relay(http, network[0], "GetAudioPeers", {"AudioPeerId": [new_id]})
    (added,) = view["Peer"]
    configuration = added["Configuration"]
    assert configuration["Name"] == "lobby speaker left"
    assert configuration["Address"] == {"IPAddress": network[2].address, "MAC": network[2].mac}
    assert configuration["Leader"] is False
    assert configuration["Credentials"] == {"User": "root", "Password": None}
    assert configuration["OutputGain"] == [{"Name": "AudioSource.A0.OutputGain", "Value": "Mute"}]
    assert network[2].output_gain["AudioSource.A0.OutputGain"] == "Mute"
    assert added["OutputGainDefinitions"][0]["Range"][:3] == ["Mute", "-57", "-56"]
    assert len(added["OutputGainDefinitions"][0]["Range"]) == 65
    status, fault = await relay(http, network[0], "SetAudioPeerConfiguration", {
        "Configuration": {"Id": new_id, "Leader": True}})  # fmt: skip
    assert (status, fault["FaultReason"]) == (
        400,
        "The audio relay network must have exactly one leader",
    )


async def test_password_is_never_returned(
    network: AxisRelayNetwork, http: aiohttp.ClientSession
) -> None:
    """GetAudioPeers answers Password null, on the leader and on followers."""
    ids = await setup(http, network)
    await wait_status(http, network[0], ids[1], ONLINE)
    for device in network:
        async with http.post(
            url(device, "/vapix/audiorelay"), json={"axar:GetAudioPeers": {}}, headers=basic()
        ) as answer:
            assert PASSWORD not in await answer.text()


async def test_multicast(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """A generated group (239 + the address's last octets), a given one, a refused one."""
    await setup_two(http, network)
    command = "SetAudioNetworkConfiguration"
    _, answer = await relay(http, network[0], command, {
        "AudioNetworkConfiguration": {"MulticastEnabled": True}})  # fmt: skip
    assert answer == {"MulticastGroup": "239.0.2.10"}
    _, answer = await relay(http, network[0], command, {
        "AudioNetworkConfiguration": {"MulticastEnabled": True, "MulticastGroup": "ff15::1"}})  # fmt: skip
    assert answer == {"MulticastGroup": "ff15::1"}
    status, _ = await relay(http, network[0], command, {
        "AudioNetworkConfiguration": {"MulticastEnabled": True, "MulticastGroup": "10.0.0.1"}})  # fmt: skip
    assert status == 400
    _, view = await relay(http, network[0], "GetAudioPeers")
    assert view["AudioNetworkConfiguration"] == {
        "MulticastEnabled": True,
        "MulticastGroup": "ff15::1",
    }


async def test_sound_configuration(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """Range and unit are checked; the volume reaches every Online follower."""
    ids = await setup(http, network)
    await wait_status(http, network[0], ids[2], ONLINE)
    _, capabilities = await relay(http, network[0], "GetServiceCapabilities")
    assert capabilities == {
        "Capabilities": {"MasterVolumeRanges": {"Unit": "dB", "MinValue": -57, "MaxValue": 6}}
    }
    for bad in ({"MasterVolume": 7}, {"MasterVolume": "0"}, {"MasterVolumeUnit": "%"}):
        status, _ = await relay(http, network[0], "SetSoundConfiguration", {"Configuration": bad})
        assert status == 400
    status, _ = await relay(http, network[1], "SetSoundConfiguration", {
        "Configuration": {"MasterVolume": -20, "MasterVolumeMute": True}})  # fmt: skip
    assert status == 200  # sent to a follower: applies to the whole network
    for device in network:
        _, sound = await relay(http, device, "GetSoundConfiguration")
        assert sound == {
            "Configuration": {
                "MasterVolume": -20,
                "MasterVolumeUnit": "dB",
                "MasterVolumeMute": True,
            }
        }


async def test_discovery(network: AxisRelayNetwork, http: aiohttp.ClientSession) -> None:
    """Running relay devices other than the asking one; relay-less ones are not found."""
    async with AxisSpeaker(
        replace(FAST, serial="ACCC8E0000FF", address="192.0.2.99", relay_api_version=None),
        lan=network.lan,
    ):
        _, found = await relay(http, network[0], "GetDiscoveredAudioPeers")
    assert found == {
        "Peer": [
            {"Address": {"IPAddress": d.address, "MAC": d.mac}, "MetaData": {"Type": "C1410"}}
            for d in network.devices[1:]
        ]
    }
