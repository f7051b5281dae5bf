"""Select entities: codec and audio input of talk channels; output gain of relay peers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .axis_entity import RelayPeerEntity, add_peer_entities
from .const import CONF_VENDOR, VENDOR_AXIS
from .coordinator import ChannelCoordinator
from .entity import TalkbackChannelEntity
from .errors import device_errors_translated
from .isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel
from .relay_coordinator import RelayCoordinator
from .vapix.models import Gain, GainDefinition, RelayNetworkPeer, RelayPeer

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class TalkbackSelectDescription(SelectEntityDescription):
    """A channel setting chosen from the device's own option list."""

    value_fn: Callable[[TwoWayAudioChannel], str | None]
    options_fn: Callable[[TwoWayAudioCapabilities], tuple[str, ...]]
    set_value_fn: Callable[[ChannelCoordinator, TwoWayAudioChannel, str], Awaitable[None]]


async def _set_codec(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, codec: str
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, audio_compression_type=codec)


async def _set_input_type(
    coordinator: ChannelCoordinator, channel: TwoWayAudioChannel, input_type: str
) -> None:
    await coordinator.client.update_two_way_audio_channel(channel, audio_input_type=input_type)


SELECTS: tuple[TalkbackSelectDescription, ...] = (
    TalkbackSelectDescription(
        key="codec",
        translation_key="codec",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda channel: channel.audio_compression_type,
        options_fn=lambda caps: caps.audio_compression_types,
        set_value_fn=_set_codec,
    ),
    TalkbackSelectDescription(
        key="audio_input_type",
        translation_key="audio_input_type",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        value_fn=lambda channel: channel.audio_input_type,
        options_fn=lambda caps: caps.audio_input_types,
        set_value_fn=_set_input_type,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a select per channel setting, or per relay peer gain, with options to choose from."""
    if entry.data.get(CONF_VENDOR) == VENDOR_AXIS:
        add_peer_entities(
            entry,
            async_add_entities,
            lambda relay, peer: [
                RelayGainSelect(relay, peer, definition)
                for definition in peer.output_gain_definitions
                if definition.values
            ],
        )
        return
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        TalkbackSelect(coordinator, channel_id, description, options)
        for channel_id, channel in coordinator.data.items()
        for description in SELECTS
        if description.value_fn(channel) is not None
        and (caps := coordinator.capabilities.get(channel_id))
        and (options := description.options_fn(caps))
    )


class TalkbackSelect(TalkbackChannelEntity, SelectEntity):
    """A channel setting with a fixed list of values, written to the device."""

    entity_description: TalkbackSelectDescription

    def __init__(
        self,
        coordinator: ChannelCoordinator,
        channel_id: str,
        description: TalkbackSelectDescription,
        options: tuple[str, ...],
    ) -> None:
        """Initialise the select with the options the device offers."""
        super().__init__(coordinator, channel_id, description.key)
        self.entity_description = description
        self._attr_options = list(options)

    @property
    def current_option(self) -> str | None:
        """The value as last read; None when the device reports one it does not list."""
        value = self.entity_description.value_fn(self.channel)
        return value if value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Write the option, then read the channel back."""
        with device_errors_translated():
            await self.entity_description.set_value_fn(self.coordinator, self.channel, option)
            await self.coordinator.async_request_refresh()


class RelayGainSelect(RelayPeerEntity, SelectEntity):
    """A peer's output gain, one of the steps its gain definition lists ("Mute", dB)."""

    _attr_translation_key = "output_gain"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(
        self, coordinator: RelayCoordinator, peer: RelayNetworkPeer, definition: GainDefinition
    ) -> None:
        """Initialise the select over the peer's gain definition."""
        # The first (normally only) gain control keeps a short id; others get their name.
        first = definition == peer.output_gain_definitions[0]
        super().__init__(coordinator, peer, "output_gain" if first else definition.name)
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
        with device_errors_translated():
            await self.coordinator.client.set_audio_peer_configuration(change)
        await self.coordinator.async_request_refresh()
