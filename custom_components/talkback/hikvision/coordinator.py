"""Polling of a Hikvision device's two-way audio channels, and writing their settings."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..audio.codec import G711Codec
from ..const import CHANNEL_SCAN_INTERVAL, DOMAIN, LOGGER
from ..errors import device_errors_translated, update_failed
from ..isapi.client import IsapiClient
from ..isapi.exceptions import IsapiError
from ..isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel
from .codec_issue import update_codec_issues


class ChannelCoordinator(DataUpdateCoordinator[dict[str, TwoWayAudioChannel]]):
    """Reads the two-way audio channels and their settings every 30 seconds.

    Capabilities do not change while a device runs: they are read once per channel, at
    setup or when the channel appears (again: a returning channel may be another sub-station).
    """

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: IsapiClient) -> None:
        """Create the coordinator for one device."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} channels {entry.title}",
            update_interval=CHANNEL_SCAN_INTERVAL,
        )
        self.client = client
        self.capabilities: dict[str, TwoWayAudioCapabilities] = {}

    async def async_update_channel(self, channel: TwoWayAudioChannel, **changes: Any) -> None:
        """Write a channel's settings, then read the channels back; errors reach the caller."""
        with device_errors_translated():
            await self.client.update_two_way_audio_channel(channel, **changes)
        await self.async_request_refresh()

    async def talk_codec(self, channel_id: str) -> G711Codec:
        """The channel's codec, read right before talking (it may have changed elsewhere).

        A codec Talkback cannot send is a translated error naming it.
        """
        channel = await self.client.two_way_audio_channel(channel_id)
        if (codec := channel.g711_codec) is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="unsupported_codec",
                translation_placeholders={"codec": channel.audio_compression_type},
            )
        return G711Codec(codec)

    async def _async_update_data(self) -> dict[str, TwoWayAudioChannel]:
        """Read the channel list with every channel's current settings."""
        channels = await self._fetch_channels()
        for channel_id in self.capabilities.keys() - channels.keys():
            del self.capabilities[channel_id]
        for channel_id in channels.keys() - self.capabilities.keys():
            try:
                self.capabilities[channel_id] = await self.client.two_way_audio_capabilities(
                    channel_id
                )
            except IsapiError as err:
                raise update_failed(err) from err
        update_codec_issues(self.hass, self.config_entry, channels, self.capabilities)
        return channels

    async def _fetch_channels(self) -> dict[str, TwoWayAudioChannel]:
        try:
            channels = await self.client.two_way_audio_channels()
        except IsapiError as err:
            raise update_failed(err) from err
        return {channel.id: channel for channel in channels}
