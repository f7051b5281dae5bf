"""Every relay command of the client against a simulated relay network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from custom_components.talkback.vapix import (
    Gain,
    RelayConnectionStatus,
    RelayNetworkConfiguration,
    RelayPeer,
    SoundConfiguration,
    VapixClient,
    VapixCommandError,
    VapixNotSupportedError,
)
from simulator.axis import AxisRelayNetwork, FaultStyle

from .helpers import FAST, PASSWORD, USER, single_device, wait_for_status

ONLINE = RelayConnectionStatus.ONLINE
GAIN = "AudioSource.A0.OutputGain"


def creds() -> dict[str, str]:
    """The credentials every simulated device of the test network has."""
    return {"username": USER, "password": PASSWORD}


async def build_network(client: VapixClient, network: AxisRelayNetwork) -> tuple[str, ...]:
    """Device 0 leads, 1 (by IP) and 2 (by MAC) follow; return the generated ids."""
    return await client.set_audio_peer_configurations(
        [
            RelayPeer(mac=network[0].mac, leader=True, name="lobby"),
            RelayPeer(ip_address=network[1].address, **creds()),
            RelayPeer(mac=network[2].mac, **creds()),
        ]
    )


async def test_capabilities(leader_client: VapixClient) -> None:
    """The master volume range of the device."""
    capabilities = await leader_client.get_service_capabilities()
    volume = capabilities.master_volume_range
    assert volume is not None
    assert (volume.min_value, volume.max_value, volume.unit) == (-57, 6, "dB")


async def test_discovery_lists_the_others(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Discovery finds every other running relay device, not the device itself."""
    found = await leader_client.get_discovered_audio_peers()
    assert {(p.ip_address, p.mac) for p in found} == {
        (network[1].address, network[1].mac),
        (network[2].address, network[2].mac),
    }
    await network[2].stop()
    found = await leader_client.get_discovered_audio_peers()
    assert [p.mac for p in found] == [network[1].mac]


# The leader waits this long before its first contact: the Initiating state is observable.
@pytest.mark.parametrize("template", [replace(FAST, link_delay=1.0)])
async def test_network_from_initiating_to_online(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A new network starts Initiating; the leader brings its followers Online."""
    ids = await build_network(leader_client, network)
    assert len(set(ids)) == 3
    first = {s.id: s.connection_status for s in await leader_client.get_audio_peer_status()}
    assert first[ids[0]] is ONLINE  # the leader itself
    assert first[ids[1]] is RelayConnectionStatus.INITIATING
    assert first[ids[2]] is RelayConnectionStatus.INITIATING
    for peer_id in ids[1:]:
        await wait_for_status(leader_client, peer_id, ONLINE)
    relay = await leader_client.get_audio_peers()
    assert relay.leader is not None
    assert relay.leader.id == ids[0]
    # The peer given by IP now has its MAC, and the one given by MAC its IP.
    by_id = {peer.id: peer for peer in relay.peers}
    assert by_id[ids[1]].configuration.mac == network[1].mac
    assert by_id[ids[2]].configuration.ip_address == network[2].address
    assert all(peer.configuration.password is None for peer in relay.peers)
    assert by_id[ids[1]].product_type == "C1410"
    definition = by_id[ids[1]].gain_definition(GAIN)
    assert definition is not None
    assert definition.values[0] == "Mute"


async def test_initiating_until_the_leader_checks(
    connect: Callable[..., VapixClient],
) -> None:
    """With a slow leader, the followers stay Initiating (the state before the first check)."""
    slow = AxisRelayNetwork(2, template=replace(FAST, link_delay=60.0))
    async with slow:
        client = connect(slow[0])
        ids = await client.set_audio_peer_configurations(
            [RelayPeer(mac=slow[0].mac, leader=True), RelayPeer(mac=slow[1].mac, **creds())]
        )
        statuses = {s.id: s.connection_status for s in await client.get_audio_peer_status()}
    assert statuses == {ids[0]: ONLINE, ids[1]: RelayConnectionStatus.INITIATING}


async def test_follower_switched_off_goes_offline(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Offline while a follower is off, Online again when it is back."""
    ids = await build_network(leader_client, network)
    await wait_for_status(leader_client, ids[1], ONLINE)
    port = network[1].port
    await network[1].stop()
    await wait_for_status(leader_client, ids[1], RelayConnectionStatus.OFFLINE)
    await network[1].start()
    assert network[1].port == port
    await wait_for_status(leader_client, ids[1], ONLINE)


async def test_wrong_follower_credentials(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A follower configured with the wrong password is AuthenticationFailed."""
    ids = await leader_client.set_audio_peer_configurations(
        [
            RelayPeer(mac=network[0].mac, leader=True),
            RelayPeer(mac=network[1].mac, username=USER, password="wrong"),
            RelayPeer(mac=network[2].mac),  # default credentials (root/pass) do not match
        ]
    )
    await wait_for_status(leader_client, ids[1], RelayConnectionStatus.AUTHENTICATION_FAILED)
    await wait_for_status(leader_client, ids[2], RelayConnectionStatus.AUTHENTICATION_FAILED)


async def test_follower_claimed_by_another_leader(
    network: AxisRelayNetwork, connect: Callable[..., VapixClient]
) -> None:
    """A second leader claiming a follower of the first sees InOtherPeerNetwork."""
    first, second = connect(network[0]), connect(network[2])
    ids = await first.set_audio_peer_configurations(
        [RelayPeer(mac=network[0].mac, leader=True), RelayPeer(mac=network[1].mac, **creds())]
    )
    await wait_for_status(first, ids[1], ONLINE)
    other = await second.set_audio_peer_configurations(
        [RelayPeer(mac=network[2].mac, leader=True), RelayPeer(mac=network[1].mac, **creds())]
    )
    await wait_for_status(second, other[1], RelayConnectionStatus.IN_OTHER_PEER_NETWORK)
    await wait_for_status(first, ids[1], ONLINE)


async def test_follower_reports_the_leaders_view(
    network: AxisRelayNetwork, leader_client: VapixClient, connect: Callable[..., VapixClient]
) -> None:
    """An Online follower answers GetAudioPeers/GetAudioPeerStatus with the network's view."""
    ids = await build_network(leader_client, network)
    await wait_for_status(leader_client, ids[2], ONLINE)
    follower = connect(network[1])
    await wait_for_status(follower, ids[2], ONLINE)
    view = await follower.get_audio_peers()
    assert [peer.id for peer in view.peers] == list(ids)


async def test_multicast_group_is_generated(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Multicast without a group: the device makes one and reports it in GetAudioPeers."""
    await leader_client.set_audio_peer_configurations(
        [RelayPeer(mac=network[0].mac, leader=True), RelayPeer(mac=network[1].mac, **creds())],
        RelayNetworkConfiguration(multicast_enabled=True),
    )
    relay = await leader_client.get_audio_peers()
    assert relay.configuration is not None
    assert relay.configuration.multicast_enabled
    assert relay.configuration.multicast_group == "239.0.2.10"


async def test_set_audio_network_configuration(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Switch to multicast (group generated), to a given group, and back to unicast."""
    await build_network(leader_client, network)
    enabled = RelayNetworkConfiguration(multicast_enabled=True)
    assert await leader_client.set_audio_network_configuration(enabled) == "239.0.2.10"
    given = RelayNetworkConfiguration(multicast_enabled=True, multicast_group="239.1.2.3")
    assert await leader_client.set_audio_network_configuration(given) == "239.1.2.3"
    unicast = RelayNetworkConfiguration(multicast_enabled=False)
    assert await leader_client.set_audio_network_configuration(unicast) is None
    relay = await leader_client.get_audio_peers()
    assert relay.configuration is not None
    assert relay.configuration.multicast_enabled is False


async def test_invalid_multicast_group_is_refused_by_the_device(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A unicast address as group: the device's fault, as a command error with its codes."""
    await build_network(leader_client, network)
    bad = RelayNetworkConfiguration(multicast_enabled=True, multicast_group="192.0.2.1")
    with pytest.raises(VapixCommandError) as raised:
        await leader_client.set_audio_network_configuration(bad)
    assert (raised.value.fault, raised.value.code) == ("env:Sender", "ter:InvalidArgVal")
    assert "multicast" in str(raised.value)


async def test_add_modify_and_remove_a_peer(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """SetAudioPeerConfiguration adds (empty id) or modifies (known id); then removal."""
    await leader_client.set_audio_peer_configurations(
        [RelayPeer(id="lead", mac=network[0].mac, leader=True)]
    )
    added = await leader_client.set_audio_peer_configuration(
        RelayPeer(name="lobby speaker left", ip_address=network[1].address, **creds())
    )
    await wait_for_status(leader_client, added, ONLINE)
    same = await leader_client.set_audio_peer_configuration(
        RelayPeer(id=added, name="renamed", output_gain=(Gain(GAIN, "-6"),))
    )
    assert same == added
    peer = (await leader_client.get_audio_peers([added])).peers[0]
    assert peer.configuration.name == "renamed"
    assert peer.configuration.output_gain == (Gain(GAIN, "-6"),)
    assert peer.leader is False  # unchanged by a modification that leaves Leader out
    assert network[1].output_gain[GAIN] == "-6"
    await leader_client.remove_audio_peer(added)
    assert [p.id for p in (await leader_client.get_audio_peers()).peers] == ["lead"]


async def test_get_peers_by_id_ignores_unknown_ids(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Ids that cannot be resolved are ignored."""
    ids = await build_network(leader_client, network)
    relay = await leader_client.get_audio_peers([ids[1], "no-such-peer"])
    assert [peer.id for peer in relay.peers] == [ids[1]]
    statuses = await leader_client.get_audio_peer_status(["no-such-peer"])
    assert statuses == ()


async def test_remove_unknown_peer_is_the_devices_fault(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """The document's fault for an invalid id, with its code kept as text."""
    await build_network(leader_client, network)
    with pytest.raises(VapixCommandError, match="Supplied ID is invalid") as raised:
        await leader_client.remove_audio_peer("AudioPeer_99")
    assert raised.value.code == "ter:InvalidArgVal"


async def test_soap_faults_are_understood(connect: Callable[..., VapixClient]) -> None:
    """A device that answers with an XML SOAP fault gives the same command error."""
    async with single_device(fault_style=FaultStyle.SOAP) as device:
        client = connect(device)
        await client.set_audio_peer_configurations([RelayPeer(mac=device.mac, leader=True)])
        with pytest.raises(VapixCommandError, match="Supplied ID is invalid") as raised:
            await client.remove_audio_peer("AudioPeer_99")
    assert (raised.value.fault, raised.value.code) == ("env:Sender", "ter:InvalidArgVal")


async def test_sound_configuration(network: AxisRelayNetwork, leader_client: VapixClient) -> None:
    """Master volume and mute apply to the whole network."""
    ids = await build_network(leader_client, network)
    for peer_id in ids[1:]:
        await wait_for_status(leader_client, peer_id, ONLINE)
    await leader_client.set_sound_configuration(
        SoundConfiguration(master_volume=-12, master_volume_unit="dB", master_volume_mute=True)
    )
    sound = await leader_client.get_sound_configuration()
    assert (sound.master_volume, sound.master_volume_unit, sound.master_volume_mute) == (
        -12,
        "dB",
        True,
    )
    assert [device.relay.master_volume for device in network] == [-12, -12, -12]
    await leader_client.set_sound_configuration(SoundConfiguration())  # changes nothing
    assert (await leader_client.get_sound_configuration()).master_volume == -12


@pytest.mark.parametrize("version", [None, "1.1", "1.0.9"])
async def test_relay_api_missing_or_too_old(
    connect: Callable[..., VapixClient], version: str | None
) -> None:
    """Relay calls fail clearly before anything reaches the device; identity still works."""
    async with single_device(relay_api_version=version) as device:
        client = connect(device)
        info = await client.device_info()
        with pytest.raises(VapixNotSupportedError, match=r"AXIS OS 10\.12"):
            await client.get_audio_peers()
        with pytest.raises(VapixNotSupportedError):
            await client.set_sound_configuration(SoundConfiguration(master_volume=0))
        assert device.server is not None
        paths = [record.target for record in device.server.requests]
    assert info.relay_api_version == version
    assert not info.relay_api_supported
    assert not any(path.startswith("/vapix/audiorelay") for path in paths)


async def test_newer_relay_api_is_accepted(connect: Callable[..., VapixClient]) -> None:
    """1.10 is later than 1.2 (versions compare as numbers, not text)."""
    async with single_device(relay_api_version="1.10") as device:
        assert await connect(device).get_audio_peers() is not None
