"""Selects of a relay network: each peer's output gain."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory

from ..vapix.models import Gain, GainDefinition, RelayNetworkPeer, RelayPeer
from ..vendor import VendorPlatform
from .coordinator import RelayCoordinator
from .data import AxisData
from .entity import RelayPeerEntity, add_peer_entities


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add a select per gain control of every peer, as peers join."""
    add_peer_entities(
        platform,
        lambda relay, peer: [
            RelayGainSelect(platform, relay, peer, definition)
            for definition in peer.output_gain_definitions
            if definition.values
        ],
    )


class RelayGainSelect(RelayPeerEntity, SelectEntity):
    """A peer's output gain, one of the steps its gain definition lists ("Mute", dB)."""

    _attr_translation_key = "output_gain"
    _attr_entity_category = EntityCategory.CONFIG

    key = "output_gain"

    def __init__(
        self,
        platform: VendorPlatform[AxisData],
        relay: RelayCoordinator,
        peer: RelayNetworkPeer,
        definition: GainDefinition,
    ) -> None:
        """Initialise the select over the peer's gain definition."""
        # The first (normally only) gain control keeps a short id; others get their name.
        first = definition == peer.output_gain_definitions[0]
        super().__init__(platform, relay, peer, None if first else definition.name)
        self.gain_name = definition.name
        self._attr_options = list(definition.values)
        if not first:
            self._attr_translation_key = "named_output_gain"
            self._attr_translation_placeholders = {"name": definition.name}

    @property
    def current_option(self) -> str | None:
        """The gain as last read; None when not set or not one of the listed steps."""
        peer = self.peer
        if peer is None:
            return None
        gain = next((g for g in peer.configuration.output_gain if g.name == self.gain_name), None)
        if gain is None:
            return None
        # Devices may spell a step differently ("-6" / "-06", "mute" / "Mute").
        step = GainDefinition(self.gain_name, (gain.value,))
        return next((option for option in self.options if step.allows(option)), None)

    async def async_select_option(self, option: str) -> None:
        """Write the gain to the leader, then read the network back."""
        peer = self.peer
        assert peer is not None  # unavailable otherwise
        change = RelayPeer(id=peer.id, output_gain=(Gain(self.gain_name, option),))
        await self.coordinator.async_write(
            self.coordinator.client.set_audio_peer_configuration(change)
        )
