"""The Axis speaker: plays through transmit.cgi; a relay network is its media player group.

The leader's group members are its followers; audio sent to the leader plays on all of them,
and its volume and mute are the network's master volume and mute.
"""

from __future__ import annotations

from homeassistant.components.media_player.const import (
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .audio.codec import G711Codec
from .axis_entity import axis_device_info
from .coalescer import PlaybackSettings
from .const import CONF_VENDOR, DOMAIN, LOGGER, VENDOR_AXIS
from .errors import device_errors_translated
from .relay_coordinator import RelayState, SpeakerConfigEntry, peer_key
from .relay_network import extend_network
from .speaker import SPEAKER_FEATURES, TalkbackSpeaker, playback_settings
from .vapix.models import RelayNetworkPeer, RelayPeer, SoundConfiguration, VolumeRange
from .vapix.transmit import TransmitSession

SPEAKER_KEY = "speaker"


def speaker_unique_id(serial: str) -> str:
    """The unique id of an Axis device's speaker."""
    return f"{serial}_{SPEAKER_KEY}"


def loaded_axis_entries(hass: HomeAssistant) -> list[SpeakerConfigEntry]:
    """Every loaded Axis entry of Talkback."""
    return [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if entry.data.get(CONF_VENDOR) == VENDOR_AXIS
    ]


def speaker_entry(hass: HomeAssistant, entity_id: str) -> SpeakerConfigEntry:
    """The loaded Axis entry behind a speaker entity; ServiceValidationError for others."""
    registered = er.async_get(hass).async_get(entity_id)
    entry = (
        hass.config_entries.async_get_entry(registered.config_entry_id)
        if registered is not None and registered.config_entry_id
        else None
    )
    if (
        entry is None
        or registered is None
        or entry.domain != DOMAIN
        or entry.data.get(CONF_VENDOR) != VENDOR_AXIS
        or registered.unique_id != speaker_unique_id(entry.runtime_data.device.serial_number)
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_an_axis_speaker",
            translation_placeholders={"entity_id": entity_id},
        )
    return entry


def follower_configuration(entry: SpeakerConfigEntry) -> RelayPeer:
    """How a leader reaches a device that has its own Talkback entry: MAC and credentials."""
    return RelayPeer(
        name=entry.title,
        mac=entry.runtime_data.device.mac_address,
        leader=False,
        username=entry.data[CONF_USERNAME],
        password=entry.data[CONF_PASSWORD],
    )


def volume_range(entry: SpeakerConfigEntry) -> VolumeRange | None:
    """The master volume range from the capabilities, when it spans anything."""
    relay = entry.runtime_data.relay
    found = relay.capabilities.master_volume_range if relay is not None else None
    return found if found is not None and found.max_value > found.min_value else None


class AxisSpeaker(TalkbackSpeaker):
    """An Axis device's audio output (see TalkbackSpeaker for play semantics)."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_translation_key = SPEAKER_KEY
    _attr_should_poll = False

    def __init__(self, entry: SpeakerConfigEntry) -> None:
        """Initialise the speaker of a device."""
        self._speaker_entry = entry
        self._attr_unique_id = speaker_unique_id(entry.runtime_data.device.serial_number)
        self._attr_device_info = axis_device_info(entry)
        self._init_speaker()

    async def async_added_to_hass(self) -> None:
        """Follow the relay network, when the device has one."""
        await super().async_added_to_hass()
        if (relay := self._entry.runtime_data.relay) is not None:
            self.async_on_remove(relay.async_add_listener(self._relay_updated))

    @callback
    def _relay_updated(self) -> None:
        self.async_write_ha_state()

    @property
    def _entry(self) -> SpeakerConfigEntry:
        return self._speaker_entry

    @property
    def _relay_state(self) -> RelayState | None:
        relay = self._entry.runtime_data.relay
        return relay.data if relay is not None and relay.last_update_success else None

    @property
    def available(self) -> bool:
        """Unavailable while the relay network cannot be read."""
        relay = self._entry.runtime_data.relay
        return relay is None or relay.last_update_success

    @property
    def supported_features(self) -> MediaPlayerEntityFeature:
        """Grouping with the relay API; master volume and mute on a leader."""
        features = SPEAKER_FEATURES
        if self._entry.runtime_data.relay is not None:
            features |= MediaPlayerEntityFeature.GROUPING
        if (state := self._relay_state) is not None and state.is_leader:
            features |= MediaPlayerEntityFeature.VOLUME_MUTE
            if volume_range(self._entry) is not None:
                features |= MediaPlayerEntityFeature.VOLUME_SET
        return features

    @property
    def volume_level(self) -> float | None:
        """The network's master volume on the 0..1 scale (leader only)."""
        state = self._relay_state
        bounds = volume_range(self._entry)
        if state is None or not state.is_leader or bounds is None:
            return None
        volume = state.sound.master_volume
        if volume is None:
            return None
        span = bounds.max_value - bounds.min_value
        return min(1.0, max(0.0, (volume - bounds.min_value) / span))

    @property
    def is_volume_muted(self) -> bool | None:
        """The network's master mute (leader only)."""
        state = self._relay_state
        if state is None or not state.is_leader:
            return None
        return state.sound.master_volume_mute

    @property
    def group_members(self) -> list[str] | None:
        """The network's speakers that Talkback knows, leader first."""
        state = self._relay_state
        if state is None or state.own_peer is None:
            return None
        registry = er.async_get(self.hass)
        peers = sorted(state.network.peers, key=lambda peer: not peer.leader)
        members: list[str] = []
        for peer in peers:
            serial = peer_key(peer).replace(":", "").upper()
            entity_id = registry.async_get_entity_id(
                MEDIA_PLAYER_DOMAIN, DOMAIN, speaker_unique_id(serial)
            )
            if entity_id is not None:
                members.append(entity_id)
        return members

    async def async_set_volume_level(self, volume: float) -> None:
        """Set the master volume, mapped linearly onto the device's dB range."""
        bounds = volume_range(self._entry)
        if bounds is None:  # pragma: no cover - the feature is off without a range
            return
        level = round(bounds.min_value + volume * (bounds.max_value - bounds.min_value))
        await self._set_sound(
            SoundConfiguration(master_volume=level, master_volume_unit=bounds.unit)
        )

    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute the whole network."""
        await self._set_sound(SoundConfiguration(master_volume_mute=mute))

    async def _set_sound(self, configuration: SoundConfiguration) -> None:
        relay = self._entry.runtime_data.relay
        assert relay is not None  # the features need a leader
        with device_errors_translated():
            await relay.client.set_sound_configuration(configuration)
        relay.settings_changed()
        await relay.async_request_refresh()

    async def async_join_players(self, group_members: list[str]) -> None:
        """Add speakers to the network this device leads (creating it when there is none)."""
        relay = self._entry.runtime_data.relay
        state = self._relay_state
        # GROUPING is offered only with the relay API, and unavailable speakers get no calls.
        assert relay is not None
        assert state is not None
        followers = [
            follower_configuration(speaker_entry(self.hass, entity_id))
            for entity_id in group_members
            if entity_id != self.entity_id
        ]
        if state.own_peer is not None and not state.is_leader:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_the_leader",
                translation_placeholders={"entity_id": self.entity_id},
            )
        leader = RelayPeer(name=self._entry.title, mac=relay.own_mac or None, leader=True)
        with device_errors_translated():
            await extend_network(relay.client, leader, state.network, followers)
        LOGGER.debug("%s joined %d speaker(s) to its network", self.entity_id, len(followers))
        await relay.async_refresh()

    async def async_unjoin_player(self) -> None:
        """Leave the network: a follower is removed by its leader; a leader drops everyone."""
        mac = self._entry.runtime_data.device.mac_address
        for leader in loaded_axis_entries(self.hass):
            relay = leader.runtime_data.relay
            if relay is None or not relay.last_update_success or not relay.data.is_leader:
                continue
            peers: list[RelayNetworkPeer] = (
                list(relay.data.followers.values())
                if leader is self._entry
                else [p for key, p in relay.data.followers.items() if key == mac]
            )
            if not peers:
                continue
            with device_errors_translated():
                for peer in peers:
                    await relay.client.remove_audio_peer(peer.id)
            await relay.async_refresh()
            return
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="leader_not_configured",
            translation_placeholders={"entity_id": self.entity_id},
        )

    async def _playback_settings(self) -> PlaybackSettings:
        """transmit.cgi plays 8 kHz µ-law (audio/basic)."""
        return playback_settings(self.hass, self._entry.options, G711Codec.MULAW)

    def _open_output(self) -> TransmitSession:
        return self._entry.runtime_data.client.talk()

    def _talking(self, talking: bool) -> None:
        self._entry.runtime_data.talking = talking
        LOGGER.debug("%s transmit %s", self.entity_id, "open" if talking else "closed")

    def _played_through(self, speakers: set[str]) -> bool:
        """A follower is silent when its leader plays the same media: the relay brings it."""
        state = self._relay_state
        if state is None or state.own_peer is None or state.is_leader:
            return False
        members = self.group_members or []
        if members and members[0] in speakers and members[0] != self.entity_id:
            LOGGER.debug("%s plays through its leader %s", self.entity_id, members[0])
            return True
        return False
