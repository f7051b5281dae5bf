"""Config flow for Talkback: add a device, re-authenticate, reconfigure, tune options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .axis.relay_flow import apply_relay_choice, own_peer, relay_schema
from .client import create_isapi_client, create_vapix_client
from .const import (
    CONF_CHANNELS,
    CONF_LEAD,
    CONF_MAX_DURATION,
    CONF_VENDOR,
    DEFAULT_LEAD_MS,
    DEFAULT_MAX_DURATION_S,
    DOMAIN,
    LOGGER,
    MAX_LEAD_MS,
    MAX_MAX_DURATION_S,
    MIN_LEAD_MS,
    VENDOR_AXIS,
    VENDOR_HIKVISION,
)
from .entry import TalkbackConfigEntry
from .errors import DEVICE_ERRORS, DeviceError, is_authentication_error
from .hikvision.data import HikvisionData
from .isapi.exceptions import IsapiAuthenticationError, IsapiConnectionError, IsapiNotSupportedError
from .vapix.exceptions import VapixConnectionError, VapixNotSupportedError, VapixValidationError

DEFAULT_HTTP_PORT = 80

CONNECTION_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_HTTP_PORT): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
        ),
        vol.Required(CONF_SSL, default=False): bool,
        vol.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="username")
        ),
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
        ),
    }
)
USER_SCHEMA = CONNECTION_SCHEMA.extend(CREDENTIALS_SCHEMA.schema)


@dataclass(frozen=True, slots=True)
class ProbedDevice:
    """What answered at the address: its vendor, a title and the normalised MAC."""

    vendor: str
    title: str
    unique_id: str
    relay: bool = False
    """Whether the device has the audio relay API (Axis only)."""


class ProbeError(Exception):
    """Connecting failed; `errors` says which form field to mark and why."""

    def __init__(self, field: str, reason: str) -> None:
        """Remember the field and the translation key of the reason."""
        super().__init__(reason)
        self.errors = {field: reason}


class TalkbackConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a camera, door station or recorder with a speaker."""

    VERSION = 1
    _probed: ProbedDevice
    _data: dict[str, Any]

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: TalkbackConfigEntry) -> TalkbackOptionsFlow:
        """Options for a configured device."""
        return TalkbackOptionsFlow()

    async def _async_probe(self, data: Mapping[str, Any]) -> ProbedDevice:
        """Find out what answers at the address; ProbeError when it cannot be used.

        ISAPI is tried first. A device without it (404), or one that refuses the ISAPI
        login (Axis web servers answer unknown paths with a challenge the ISAPI client
        cannot meet), is asked over VAPIX; when VAPIX is missing too, the ISAPI answer
        is what the user sees.
        """
        try:
            return await self._async_probe_isapi(data)
        except (IsapiNotSupportedError, IsapiAuthenticationError) as isapi_err:
            try:
                return await self._async_probe_vapix(data)
            except VapixNotSupportedError as err:
                raise _probe_error(data, isapi_err) from err
            except DEVICE_ERRORS as err:
                raise _probe_error(data, err) from err
        except DEVICE_ERRORS as err:
            raise _probe_error(data, err) from err

    async def _async_probe_isapi(self, data: Mapping[str, Any]) -> ProbedDevice:
        client = create_isapi_client(self.hass, data)
        device = await client.device_info()
        if not await client.two_way_audio_channels():
            raise ProbeError("base", "not_supported")
        return ProbedDevice(
            VENDOR_HIKVISION, device.name or device.model, format_mac(device.mac_address)
        )

    async def _async_probe_vapix(self, data: Mapping[str, Any]) -> ProbedDevice:
        client = create_vapix_client(self.hass, data)
        device = await client.device_info()
        if not device.has_audio_output:
            raise ProbeError("base", "no_audio_output")
        title = device.product_name or device.model or device.serial_number
        return ProbedDevice(
            VENDOR_AXIS,
            title,
            format_mac(device.mac_address or device.serial_number),
            relay=device.relay_api_supported,
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the device's address and credentials."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _normalised(user_input)
            try:
                device = await self._async_probe(data)
            except ProbeError as err:
                errors = err.errors
            else:
                await self.async_set_unique_id(device.unique_id)
                self._abort_if_unique_id_configured(updates={CONF_HOST: data[CONF_HOST]})
                self._probed = device
                self._data = {**data, CONF_VENDOR: device.vendor}
                if device.relay:
                    return await self.async_step_relay()
                return self.async_create_entry(title=device.title, data=self._data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_relay(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Build or extend a relay network with the new device (or leave it alone)."""
        device = self._probed
        client = create_vapix_client(self.hass, self._data)
        errors: dict[str, str] = {}
        placeholders = {"name": device.title, "error": ""}
        try:
            discovered = await client.get_discovered_audio_peers()
            if user_input is not None:
                own = own_peer(device.title, device.unique_id, self._data)
                await apply_relay_choice(self.hass, client, own, discovered, user_input)
                return self.async_create_entry(title=device.title, data=self._data)
        except VapixValidationError as err:
            errors = {"base": "invalid_network"}
            placeholders["error"] = str(err)
            discovered = ()
        except DEVICE_ERRORS as err:
            errors = _probe_error(self._data, err).errors
            discovered = ()
        schema = relay_schema(self.hass, device.unique_id, device.title, discovered)
        return self.async_show_form(
            step_id="relay",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The device refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials."""
        entry = self._get_reauth_entry()
        return await self._async_step_same_device(
            "reauth_confirm",
            entry,
            user_input,
            CREDENTIALS_SCHEMA,
            suggested={CONF_USERNAME: entry.data[CONF_USERNAME]},
            placeholders={"name": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the device is reached; it must stay the same device."""
        entry = self._get_reconfigure_entry()
        return await self._async_step_same_device(
            "reconfigure",
            entry,
            user_input and _normalised(user_input),
            CONNECTION_SCHEMA,
            suggested=user_input or entry.data,
        )

    async def _async_step_same_device(
        self,
        step_id: str,
        entry: TalkbackConfigEntry,
        changes: dict[str, Any] | None,
        schema: vol.Schema,
        *,
        suggested: Mapping[str, Any],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """A form that changes a configured entry: the changed data must reach the same device.

        Reauth and reconfigure differ only in what they ask for.
        """
        errors: dict[str, str] = {}
        if changes is not None:
            try:
                device = await self._async_probe({**entry.data, **changes})
            except ProbeError as err:
                errors = err.errors
            else:
                await self.async_set_unique_id(device.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(entry, data_updates=changes)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            description_placeholders=placeholders,
            errors=errors,
        )


class TalkbackOptionsFlow(OptionsFlowWithReload):
    """What a user tunes: prebuffer, maximum play time, channels with a speaker."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        entry = self.config_entry
        schema = vol.Schema(
            {
                vol.Required(CONF_LEAD, default=DEFAULT_LEAD_MS): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_LEAD_MS, max=MAX_LEAD_MS, step=10, unit_of_measurement="ms"
                    )
                ),
                vol.Required(CONF_MAX_DURATION, default=DEFAULT_MAX_DURATION_S): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=MAX_MAX_DURATION_S,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
            }
        )
        data = entry.runtime_data
        if isinstance(data, HikvisionData):  # an Axis device has one output
            channels = sorted(data.coordinator.data)
            schema = schema.extend(
                {
                    vol.Required(CONF_CHANNELS, default=channels): SelectSelector(
                        SelectSelectorConfig(options=channels, multiple=True)
                    )
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, entry.options),
        )


def _normalised(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Form input as stored: a bare host (IPv6 without brackets) and an integer port."""
    data = dict(user_input)
    data[CONF_HOST] = data[CONF_HOST].strip().removeprefix("[").removesuffix("]")
    data[CONF_PORT] = int(data[CONF_PORT])
    return data


def _probe_error(data: Mapping[str, Any], err: DeviceError) -> ProbeError:
    """The form field an error concerns, and why."""
    if is_authentication_error(err):
        return ProbeError(CONF_PASSWORD, "invalid_auth")
    if isinstance(err, IsapiConnectionError | VapixConnectionError):
        return ProbeError(CONF_HOST, "cannot_connect")
    if isinstance(err, IsapiNotSupportedError | VapixNotSupportedError):
        return ProbeError("base", "not_supported")
    LOGGER.warning("Unexpected answer from %s: %s", data[CONF_HOST], err)
    return ProbeError("base", "unknown")
