"""A one-click config flow: the engine has nothing to configure."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from . import DOMAIN


class OfflineSpeechConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add the eSpeak NG engine."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Confirm and add."""
        if user_input is None:
            return self.async_show_form(step_id="user")
        return self.async_create_entry(title="eSpeak NG", data={})

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Added from YAML, with the sentences the recogniser knows."""
        return self.async_create_entry(title="eSpeak NG", data=import_data)
