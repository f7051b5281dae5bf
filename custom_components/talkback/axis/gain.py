"""A peer's output gain as Home Assistant shows it: a level in dB and a mute position.

Axis devices list a gain control's steps as text, "Mute" then whole decibels ("-57" ...
"6"). Mute is one of the steps, not a flag of its own: writing a level unmutes.
"""

from __future__ import annotations

from collections.abc import Callable

from ..vapix.const import GAIN_MUTE
from ..vapix.models import Gain, GainDefinition, RelayNetworkPeer, RelayPeer
from ..vendor import VendorPlatform
from .coordinator import RelayCoordinator
from .data import AxisData
from .entity import RelayPeerEntity, add_peer_entities

DEFAULT_LEVEL_DB = 0
"""The level a mute switch returns to when no level was read before."""


def is_mute(value: str) -> bool:
    """Whether a gain step is the mute position."""
    return value.strip().lower() == GAIN_MUTE.lower()


def levels(definition: GainDefinition) -> list[int]:
    """The decibel steps of a gain control, in order (mute left out)."""
    found: list[int] = []
    for step in definition.values:
        try:
            found.append(int(step.strip()))
        except ValueError:
            continue
    return sorted(found)


def has_mute(definition: GainDefinition) -> bool:
    """Whether the gain control has a mute position."""
    return any(is_mute(step) for step in definition.values)


def current_gain(peer: RelayNetworkPeer | None, name: str) -> str | None:
    """The gain step a peer is set to, as read; None when not reported."""
    if peer is None:
        return None
    return next((g.value for g in peer.configuration.output_gain if g.name == name), None)


def nearest_level(definition: GainDefinition, wanted: float) -> int:
    """The defined step closest to a wanted level (devices accept only their steps)."""
    return min(levels(definition), key=lambda step: abs(step - wanted))


class RelayGainEntity(RelayPeerEntity):
    """An entity about one gain control of a peer (its level, its mute position)."""

    def __init__(
        self,
        platform: VendorPlatform[AxisData],
        relay: RelayCoordinator,
        peer: RelayNetworkPeer,
        definition: GainDefinition,
    ) -> None:
        """Initialise; the first (normally only) gain control keeps a short unique id."""
        first = definition == peer.output_gain_definitions[0]
        super().__init__(platform, relay, peer, None if first else self.named_key(definition.name))
        self.definition = definition
        if not first:
            self._attr_translation_key = f"named_{self._attr_translation_key}"
            self._attr_translation_placeholders = {"name": definition.name}
        self._init_gain(peer)

    def _init_gain(self, peer: RelayNetworkPeer) -> None:
        """What a kind of gain entity reads from the definition and the peer at creation."""

    @classmethod
    def named_key(cls, name: str) -> str:
        """The unique id's key of a gain control other than the first."""
        return f"{cls.key}_{name}"

    @property
    def current(self) -> str | None:
        """The gain step as last read."""
        return current_gain(self.peer, self.definition.name)

    async def _async_write_gain(self, value: str) -> None:
        """Write the gain control to the leader, then read the network back."""
        relay, peer = self.relay, self.peer
        assert relay is not None  # unavailable otherwise
        assert peer is not None
        change = RelayPeer(id=peer.id, output_gain=(Gain(self.definition.name, value),))
        await relay.async_write(relay.client.set_audio_peer_configuration(change))


def add_gain_entities(
    platform: VendorPlatform[AxisData],
    kind: type[RelayGainEntity],
    wanted: Callable[[GainDefinition], bool],
) -> None:
    """Add an entity of `kind` per gain control of every peer that has what it shows."""
    add_peer_entities(
        platform,
        lambda relay, peer: [
            kind(platform, relay, peer, definition)
            for definition in peer.output_gain_definitions
            if wanted(definition)
        ],
    )
