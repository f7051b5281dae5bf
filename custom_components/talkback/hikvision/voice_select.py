"""The Assist pipeline and VAD sensitivity selects of a voice satellite (Home Assistant's own)."""

from __future__ import annotations

from homeassistant.components.assist_pipeline.select import (
    AssistPipelineSelect,
    VadSensitivitySelect,
)
from homeassistant.core import HomeAssistant

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import add_voice_entities, channel_device_info


def voice_unique_id_prefix(data: HikvisionData, channel_id: str) -> str:
    """What a satellite's selects prefix their unique ids with (`<prefix>-pipeline`)."""
    return f"{data.device.serial_number}_{channel_id}"


def add_voice_selects(platform: VendorPlatform[HikvisionData]) -> None:
    """Add the pipeline and VAD sensitivity selects of every voice satellite, as channels appear."""
    hass, entry, data = platform.hass, platform.entry, platform.data
    add_voice_entities(
        platform,
        lambda channel: [
            ChannelPipelineSelect(hass, entry, data, channel.id),
            ChannelVadSensitivitySelect(hass, entry, data, channel.id),
        ],
    )


class ChannelPipelineSelect(AssistPipelineSelect):
    """Which Assist pipeline the channel's satellite runs."""

    _attr_has_entity_name = True

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
    ) -> None:
        """Initialise the select of a channel."""
        super().__init__(hass, DOMAIN, voice_unique_id_prefix(data, channel_id))
        self._attr_device_info = channel_device_info(entry, data, channel_id)


class ChannelVadSensitivitySelect(VadSensitivitySelect):
    """How long a pause ends the visitor's request."""

    _attr_has_entity_name = True

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TalkbackConfigEntry,
        data: HikvisionData,
        channel_id: str,
    ) -> None:
        """Initialise the select of a channel."""
        super().__init__(hass, voice_unique_id_prefix(data, channel_id))
        self._attr_device_info = channel_device_info(entry, data, channel_id)
