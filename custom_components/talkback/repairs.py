"""Fix flows of Talkback's repair issues: a talk codec to change, relay leftovers to remove."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import probatio as vol

from .axis.data import AxisData
from .axis.relay_issue import remove_relay_leftovers
from .const import DOMAIN, LOGGER
from .entry import TalkbackConfigEntry
from .errors import device_errors_translated
from .hikvision.codec_issue import ISSUE_UNSUPPORTED_CODEC, g711_target
from .hikvision.data import HikvisionData


class TalkbackRepairFlow(RepairsFlow):
    """A confirm step about one loaded entry; subclasses do the fix."""

    def __init__(self, entry_id: str) -> None:
        """Fix an issue of this entry."""
        self.entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Start at the confirm step."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Explain the fix; once confirmed, apply it."""
        raise NotImplementedError  # pragma: no cover - every flow below has its own

    def _loaded[D: HikvisionData | AxisData](
        self, kind: type[D]
    ) -> tuple[TalkbackConfigEntry, D] | None:
        """The entry and its runtime data, while it is loaded and of this vendor."""
        entry: TalkbackConfigEntry | None = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        data = entry.runtime_data
        return (entry, data) if isinstance(data, kind) else None

    def _placeholders(self) -> dict[str, str]:
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        return dict(issue.translation_placeholders or {}) if issue is not None else {}

    def _confirm_form(
        self, errors: dict[str, str] | None = None, **placeholders: str
    ) -> RepairsFlowResult:
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=self._placeholders() | placeholders,
        )


class UnsupportedCodecRepairFlow(TalkbackRepairFlow):
    """Set a Hikvision talk channel to G.711 on the device, then reload the entry."""

    def __init__(self, entry_id: str, channel_id: str) -> None:
        """Fix the codec of one channel of an entry."""
        super().__init__(entry_id)
        self.channel_id = channel_id

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Explain the change; once confirmed, write the codec and reload."""
        if (loaded := self._loaded(HikvisionData)) is None:
            return self.async_abort(reason="not_loaded")
        entry, data = loaded
        coordinator = data.coordinator
        target = g711_target(coordinator.capabilities.get(self.channel_id))
        if target is None:
            return self.async_abort(reason="no_g711")
        if user_input is None:
            return self._confirm_form()
        try:
            with device_errors_translated():
                # Read afresh: the write sends back every other setting as it is now.
                channel = await coordinator.client.two_way_audio_channel(self.channel_id)
            if channel.g711_codec is None:
                await coordinator.async_update_channel(channel, audio_compression_type=target)
        except HomeAssistantError as err:
            return self._confirm_form({"base": "write_failed"}, error=str(err))
        LOGGER.info("%s: talk channel %s set to %s", entry.title, self.channel_id, target)
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data={})


class RelayLeftoversRepairFlow(TalkbackRepairFlow):
    """Remove the relay entities and follower devices an Axis device can no longer have."""

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Explain what goes; once confirmed, remove it."""
        if (loaded := self._loaded(AxisData)) is None:
            return self.async_abort(reason="not_loaded")
        entry, data = loaded
        if data.relay is not None:
            return self.async_abort(reason="relay_api_back")
        if user_input is None:
            return self._confirm_form()
        removed = remove_relay_leftovers(self.hass, entry, data)
        LOGGER.info("%s: removed %d relay entities and devices", entry.title, removed)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow of an issue, from the data it was raised with."""
    data = data or {}
    entry_id = str(data.get("entry_id"))
    if issue_id.startswith(f"{ISSUE_UNSUPPORTED_CODEC}_"):
        return UnsupportedCodecRepairFlow(entry_id, str(data.get("channel_id")))
    return RelayLeftoversRepairFlow(entry_id)
