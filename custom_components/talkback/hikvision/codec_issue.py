"""The repair issue of a talk channel set to a codec Talkback cannot send (AAC, G.726 ...).

Raised and withdrawn from what each poll reads, so a codec changed on the device by any
means (its web page, the codec select, the fix flow) settles the issue at the next poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import CONF_CHANNELS, DOMAIN, REPAIRS_DOCUMENTATION
from ..isapi.models import TwoWayAudioCapabilities, TwoWayAudioChannel, g711_law

ISSUE_UNSUPPORTED_CODEC = "unsupported_codec"
"""Translation key of the fixable issue (the channel offers G.711)."""
ISSUE_UNSUPPORTED_CODEC_NO_G711 = "unsupported_codec_no_g711"
"""Translation key when the channel offers no G.711 option: only the device can help."""


def codec_issue_id(entry_id: str, channel_id: str) -> str:
    """One issue per channel of an entry."""
    return f"{ISSUE_UNSUPPORTED_CODEC}_{entry_id}_{channel_id}"


def g711_target(capabilities: TwoWayAudioCapabilities | None) -> str | None:
    """The option to switch to, spelled as the device offers it: µ-law, else A-law."""
    options = capabilities.g711_compression_types if capabilities is not None else ()
    for law in ("mulaw", "alaw"):
        if found := next((option for option in options if g711_law(option) == law), None):
            return found
    return None


@callback
def update_codec_issues(
    hass: HomeAssistant,
    entry: ConfigEntry,
    channels: Mapping[str, TwoWayAudioChannel],
    capabilities: Mapping[str, TwoWayAudioCapabilities],
) -> None:
    """Raise an issue per speaker channel set to another codec; withdraw the others."""
    chosen = entry.options.get(CONF_CHANNELS)
    raised: set[str] = set()
    for channel_id, channel in channels.items():
        if channel.g711_codec is not None or (chosen is not None and channel_id not in chosen):
            continue
        issue_id = codec_issue_id(entry.entry_id, channel_id)
        raised.add(issue_id)
        target = g711_target(capabilities.get(channel_id))
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=target is not None,
            severity=ir.IssueSeverity.ERROR,
            learn_more_url=REPAIRS_DOCUMENTATION,
            translation_key=ISSUE_UNSUPPORTED_CODEC if target else ISSUE_UNSUPPORTED_CODEC_NO_G711,
            translation_placeholders={
                "device": entry.title,
                "channel": channel_id,
                "codec": channel.audio_compression_type or "?",
                "target": target or "G.711",
            },
            data={"entry_id": entry.entry_id, "channel_id": channel_id},
        )
    prefix = codec_issue_id(entry.entry_id, "")
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix) and issue_id not in raised:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
