"""Writing relay networks: building, extending and shrinking them (flow, join and unjoin)."""

from __future__ import annotations

from collections.abc import Sequence

from ..vapix.client import VapixClient
from ..vapix.models import RelayNetwork, RelayNetworkConfiguration, RelayNetworkPeer, RelayPeer


async def extend_network(
    client: VapixClient,
    leader: RelayPeer,
    current: RelayNetwork,
    followers: Sequence[RelayPeer],
    *,
    multicast: bool | None = None,
) -> None:
    """Make `leader` (the device `client` talks to) lead a network that includes `followers`.

    Without a network yet, the whole network is written at once (the client checks it
    first). An existing one is extended peer by peer: devices never return passwords, so
    rewriting the whole network would drop the credentials of the peers already in it.
    """
    network = RelayNetworkConfiguration(multicast_enabled=multicast) if multicast else None
    if current.leader is None:
        await client.set_audio_peer_configurations([leader, *followers], network)
        return
    for follower in followers:
        await client.set_audio_peer_configuration(follower)
    if network is not None:
        await client.set_audio_network_configuration(network)


async def remove_peers(client: VapixClient, peers: Sequence[RelayNetworkPeer]) -> None:
    """Remove peers from the network `client`'s device leads, one by one."""
    for peer in peers:
        await client.remove_audio_peer(peer.id)
