"""The Assist pipeline and VAD sensitivity selects of a voice satellite (Home Assistant's own)."""

from __future__ import annotations

from homeassistant.components.assist_pipeline.select import (
    AssistPipelineSelect,
    VadSensitivitySelect,
)
from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant

from ..const import DOMAIN
from ..entry import TalkbackConfigEntry
from ..vendor import VendorPlatform
from .data import HikvisionData
from .entity import channel_device_info


def voice_unique_id_prefix(data: HikvisionData, channel_id: str) -> str:
    """What a satellite's selects prefix their unique ids with (`<prefix>-pipeline`)."""
    return f"{data.device.serial_number}_{channel_id}"


def voice_selects(platform: VendorPlatform[HikvisionData]) -> list[SelectEntity]:
    """The pipeline and VAD sensitivity selects of every voice satellite."""
    hass, entry, data = platform.hass, platform.entry, platform.data
    selects: list[SelectEntity] = []
    for channel_id in data.voice:
        selects.append(ChannelPipelineSelect(hass, entry, data, channel_id))
        selects.append(ChannelVadSensitivitySelect(hass, entry, data, channel_id))
    return selects


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
