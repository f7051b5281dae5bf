"""The Axis speaker: plays through transmit.cgi; a relay network is its media player group.

The leader's group members are its followers; audio sent to the leader plays on all of them,
and its volume and mute are the network's master volume and mute.
"""

from __future__ import annotations

from homeassistant.components.media_player.const import (
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
)
from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from ..audio.codec import G711Codec
from ..coalescer import PlaybackSettings
from ..const import DOMAIN, LOGGER
from ..entry import TalkbackConfigEntry
from ..speaker import SPEAKER_FEATURES, TalkbackSpeaker, playback_settings
from ..vapix.models import RelayNetworkPeer, RelayPeer, SoundConfiguration, VolumeRange
from ..vapix.transmit import TransmitSession
from ..vendor import VendorPlatform
from .coordinator import RelayState, peer_key
from .data import AxisData
from .device import device_info
from .entries import (
    SPEAKER_KEY,
    follower_configuration,
    loaded_axis_entries,
    speaker_entry,
    speaker_unique_id,
)
from .network import extend_network, remove_peers


def add_entities(platform: VendorPlatform[AxisData]) -> None:
    """Add the device's speaker."""
    platform.add_entities([AxisSpeaker(platform.entry, platform.data)])


def volume_range(data: AxisData) -> VolumeRange | None:
    """The master volume range from the capabilities, when it spans anything."""
    relay = data.relay
    found = relay.capabilities.master_volume_range if relay is not None else None
    return found if found is not None and found.max_value > found.min_value else None


class AxisSpeaker(TalkbackSpeaker):
    """An Axis device's audio output (see TalkbackSpeaker for play semantics)."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_translation_key = SPEAKER_KEY
    _attr_should_poll = False

    def __init__(self, entry: TalkbackConfigEntry, data: AxisData) -> None:
        """Initialise the speaker of a device."""
        self.device_data = data
        self._attr_unique_id = speaker_unique_id(data.device.serial_number)
        self._attr_device_info = device_info(entry, data.device)
        self._init_speaker(entry, data.output)

    async def async_added_to_hass(self) -> None:
        """Follow the relay network, or the device's polls when it has no relay API."""
        await super().async_added_to_hass()
        if (polled := self.device_data.relay or self.device_data.availability) is not None:
            self.async_on_remove(polled.async_add_listener(self._polled))

    @callback
    def _polled(self) -> None:
        self.async_write_ha_state()

    @property
    def _relay_state(self) -> RelayState | None:
        relay = self.device_data.relay
        return relay.data if relay is not None and relay.last_update_success else None

    @property
    def available(self) -> bool:
        """Unavailable while the device (its relay network, when it has one) cannot be read."""
        polled = self.device_data.relay or self.device_data.availability
        return polled is None or polled.last_update_success

    @property
    def supported_features(self) -> MediaPlayerEntityFeature:
        """Grouping with the relay API; master volume and mute on a leader."""
        features = SPEAKER_FEATURES
        if self.device_data.relay is not None:
            features |= MediaPlayerEntityFeature.GROUPING
        if (state := self._relay_state) is not None and state.is_leader:
            features |= MediaPlayerEntityFeature.VOLUME_MUTE
            if volume_range(self.device_data) is not None:
                features |= MediaPlayerEntityFeature.VOLUME_SET
        return features

    @property
    def volume_level(self) -> float | None:
        """The network's master volume on the 0..1 scale (leader only)."""
        state = self._relay_state
        bounds = volume_range(self.device_data)
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

    def _speaker_of(self, peer: RelayNetworkPeer) -> str | None:
        """The entity id of a peer's speaker, when the peer has a Talkback entry."""
        serial = peer_key(peer).replace(":", "").upper()
        return er.async_get(self.hass).async_get_entity_id(
            MEDIA_PLAYER_DOMAIN, DOMAIN, speaker_unique_id(serial)
        )

    @property
    def group_members(self) -> list[str] | None:
        """The network's speakers that Talkback knows, leader first."""
        state = self._relay_state
        if state is None or state.own_peer is None:
            return None
        peers = sorted(state.network.peers, key=lambda peer: not peer.leader)
        return [entity_id for peer in peers if (entity_id := self._speaker_of(peer)) is not None]

    async def async_set_volume_level(self, volume: float) -> None:
        """Set the master volume, mapped linearly onto the device's dB range."""
        bounds = volume_range(self.device_data)
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
        relay = self.device_data.relay
        assert relay is not None  # the features need a leader
        await relay.async_write(relay.client.set_sound_configuration(configuration), settings=True)

    async def async_join_players(self, group_members: list[str]) -> None:
        """Add speakers to the network this device leads (creating it when there is none)."""
        relay = self.device_data.relay
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
        await relay.async_write(
            extend_network(relay.client, leader, state.network, followers), members=True
        )
        LOGGER.debug("%s joined %d speaker(s) to its network", self.entity_id, len(followers))

    async def async_unjoin_player(self) -> None:
        """Leave the network: a follower is removed by its leader; a leader drops everyone."""
        mac = self.device_data.device.mac_address
        for leader in loaded_axis_entries(self.hass):
            relay = leader.data.relay
            if relay is None or not relay.last_update_success or not relay.data.is_leader:
                continue
            peers: list[RelayNetworkPeer] = (
                list(relay.data.followers.values())
                if leader.data is self.device_data
                else [p for key, p in relay.data.followers.items() if key == mac]
            )
            if peers:
                await relay.async_write(remove_peers(relay.client, peers), members=True)
                return
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="leader_not_configured",
            translation_placeholders={"entity_id": self.entity_id},
        )

    async def _playback_settings(self) -> PlaybackSettings:
        """transmit.cgi plays 8 kHz µ-law (audio/basic)."""
        return playback_settings(self.hass, self._entry.options, G711Codec.MULAW)

    def _open_session(self) -> TransmitSession:
        return self.device_data.client.talk()

    def _session_changed(self, is_open: bool) -> None:
        self.device_data.talking = is_open
        LOGGER.debug("%s transmit %s", self.entity_id, "open" if is_open else "closed")

    def _played_through(self, speakers: set[str]) -> bool:
        """A follower is silent when its leader plays the same media: the relay brings it.

        The leader is the relay network's own leader peer: `group_members` lists only the
        speakers Talkback knows, so its first entry is a follower when the leader has no entry.
        """
        state = self._relay_state
        if state is None or state.own_peer is None or state.is_leader:
            return False
        leader = state.network.leader
        leader_speaker = self._speaker_of(leader) if leader is not None else None
        if leader_speaker is not None and leader_speaker in speakers:
            LOGGER.debug("%s plays through its leader %s", self.entity_id, leader_speaker)
            return True
        return False
