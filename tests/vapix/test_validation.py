"""Requests the device would refuse are refused before sending, with a message saying why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from custom_components.talkback.vapix import (
    Gain,
    GainDefinition,
    RelayCapabilities,
    RelayPeer,
    SoundConfiguration,
    VapixClient,
    VapixValidationError,
    VolumeRange,
)
from custom_components.talkback.vapix.relay import (
    ReceivingDevice,
    check_gains,
    check_network,
    check_sound_configuration,
)
from simulator.axis import AxisRelayNetwork

from .helpers import FAST, PASSWORD, USER

GAIN = "AudioSource.A0.OutputGain"
HERE = ReceivingDevice("192.0.2.10", "ac:cc:8e:5a:00:00")
LEADER = RelayPeer(ip_address="192.0.2.10", leader=True)
FOLLOWER = RelayPeer(ip_address="192.0.2.11")
STEPS = GainDefinition(GAIN, ("Mute", *(str(db) for db in range(-57, 7))))


@pytest.mark.parametrize(
    ("peers", "message"),
    [
        ([], "at least the receiving device"),
        ([RelayPeer(ip_address="192.0.2.10"), FOLLOWER], "no leader"),
        ([LEADER, RelayPeer(ip_address="192.0.2.11", leader=True)], "2 leaders"),
        ([RelayPeer(ip_address="192.0.2.12", leader=True), FOLLOWER], "must include the device"),
        ([LEADER, RelayPeer(id="x" * 65, ip_address="192.0.2.11")], "use at most 64"),
        ([LEADER, RelayPeer(mac="00408C180001")], "form 00:00:00:00:00:00"),
        ([LEADER, RelayPeer(mac="00-40-8C-18-00-01")], "such as 00:40:8C:18:00:01"),
        ([LEADER, RelayPeer(ip_address="speaker.local")], "not an IPv4 or IPv6"),
        ([LEADER, RelayPeer(name="no address")], "needs an IP address or a MAC"),
        ([LEADER, RelayPeer(ip_address="192.0.2.10")], "repeats the IP address"),
        ([RelayPeer(id="a", mac="AC:CC:8E:5A:00:00", leader=True), RelayPeer(id="a", ip_address="192.0.2.11")], "repeats the id"),
    ],
)  # fmt: skip
def test_network_rules(peers: list[RelayPeer], message: str) -> None:
    """One leader, the receiving device included, valid ids, MACs and addresses."""
    with pytest.raises(VapixValidationError, match=message):
        check_network(peers, HERE)


def test_valid_networks() -> None:
    """By IP (v4 or v6 literal) or by MAC in any letter case; 64-character ids are fine."""
    check_network([LEADER, RelayPeer(id="y" * 64, ip_address="192.0.2.11")], HERE)
    check_network([RelayPeer(mac="ac:cc:8e:5a:00:00", leader=True)], HERE)
    here6 = ReceivingDevice("[fd00::10]")
    check_network([RelayPeer(ip_address="fd00::10", leader=True)], here6)


@pytest.mark.parametrize("value", ["Mute", "mute", "-57", "6", "0", "+3"])
def test_gain_within_definition(value: str) -> None:
    """Every defined step, "Mute" in any case, numbers however written."""
    check_gains(RelayPeer(output_gain=(Gain(GAIN, value),)), [STEPS])


@pytest.mark.parametrize("value", ["7", "-58", "loud", "", "0.5"])
def test_gain_outside_definition(value: str) -> None:
    """A value that is not a step is refused, naming the valid ones."""
    with pytest.raises(VapixValidationError, match=r"use one of 'Mute', '-57' \.\.\. '6'"):
        check_gains(RelayPeer(output_gain=(Gain(GAIN, value),)), [STEPS])


def test_gain_without_definition_must_look_like_a_gain() -> None:
    """No definition known yet: "Mute" or whole dB only."""
    check_gains(RelayPeer(output_gain=(Gain(GAIN, "-3"),)), [])
    with pytest.raises(VapixValidationError, match="neither 'Mute' nor a whole number"):
        check_gains(RelayPeer(output_gain=(Gain(GAIN, "max"),)), [])


@pytest.mark.parametrize(
    ("volume", "unit", "message"),
    [(0, "dB", None), (-57, None, None), (6, "DB", None),
     (7, "dB", "7 dB is out of range; use -57 to 6 dB"), (-58, None, "out of range; use -57 to 6 dB"),
     (0, "%", "no master volume in '%'; use dB")],
)  # fmt: skip
def test_master_volume_within_capabilities(
    volume: int, unit: str | None, message: str | None
) -> None:
    """The master volume must lie in a capability range of the same unit."""
    capabilities = RelayCapabilities((VolumeRange(-57, 6, "dB"),))
    configuration = SoundConfiguration(master_volume=volume, master_volume_unit=unit)
    if message is None:
        check_sound_configuration(configuration, capabilities)
    else:
        with pytest.raises(VapixValidationError, match=message):
            check_sound_configuration(configuration, capabilities)


async def test_client_refuses_before_sending(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Invalid requests raise VapixValidationError and leave the device untouched."""
    await leader_client.set_audio_peer_configurations([RelayPeer(mac=network[0].mac, leader=True)])
    volume = network[0].relay.master_volume
    with pytest.raises(VapixValidationError, match="must include the device"):
        await leader_client.set_audio_peer_configurations(
            [RelayPeer(mac=network[1].mac, leader=True)]
        )
    with pytest.raises(VapixValidationError, match="would have 2 leaders"):
        await leader_client.set_audio_peer_configuration(RelayPeer(mac=network[1].mac, leader=True))
    with pytest.raises(VapixValidationError, match="is the device the request is sent to"):
        await leader_client.remove_audio_peer((await leader_client.get_audio_peers()).peers[0].id)
    with pytest.raises(VapixValidationError, match="out of range"):
        await leader_client.set_sound_configuration(SoundConfiguration(master_volume=40))
    added = await leader_client.set_audio_peer_configuration(
        RelayPeer(mac=network[1].mac, username=USER, password=PASSWORD)
    )
    with pytest.raises(VapixValidationError, match="'9' is not valid"):
        await leader_client.set_audio_peer_configuration(
            RelayPeer(id=added, output_gain=(Gain(GAIN, "9"),))
        )
    assert [p.configuration.mac for p in (await leader_client.get_audio_peers()).peers] == [
        network[0].mac,
        network[1].mac,
    ]
    assert network[0].relay.master_volume == volume


async def test_first_peer_needs_a_whole_network(
    network: AxisRelayNetwork, connect: Callable[..., VapixClient]
) -> None:
    """Adding one follower to a device without a network tells what to call instead."""
    client = connect(network[0])
    with pytest.raises(VapixValidationError, match="set_audio_peer_configurations"):
        await client.set_audio_peer_configuration(RelayPeer(mac=network[1].mac))
    # Starting with the device itself as leader is a valid one-leader network.
    leader = await client.set_audio_peer_configuration(RelayPeer(mac=network[0].mac, leader=True))
    follower = await client.set_audio_peer_configuration(
        RelayPeer(mac=network[1].mac, username=USER, password=PASSWORD)
    )
    relay = await client.get_audio_peers()
    assert [(p.id, p.leader) for p in relay.peers] == [(leader, True), (follower, False)]


async def test_receiving_device_found_by_ip_address(
    connect: Callable[..., VapixClient],
) -> None:
    """When the client's host is the device's address, the MAC is not needed."""
    configs = [replace(FAST, address="127.0.0.1"), replace(FAST, serial="ACCC8E000001")]
    async with AxisRelayNetwork(configs=configs) as local:
        client = connect(local[0])
        ids = await client.set_audio_peer_configurations(
            [RelayPeer(ip_address="127.0.0.1", leader=True), RelayPeer(mac=local[1].mac)]
        )
        assert local[0].server is not None
        paths = {r.target for r in local[0].server.requests}
    assert len(ids) == 2
    assert "/axis-cgi/basicdeviceinfo.cgi" not in paths  # no MAC lookup was needed
