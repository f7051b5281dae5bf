"""Config flow for Talkback."""

from __future__ import annotations

from homeassistant.config_entries import ConfigFlow

from .const import DOMAIN


class TalkbackConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a camera or speaker to Talkback."""

    VERSION = 1
