"""Config flow for Talkback: add a device, re-authenticate, reconfigure, tune options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import probatio as vol

from .axis.device import device_name as axis_device_name
from .axis.discovery import CONF_LEADER_ENTRY
from .axis.relay_flow import apply_relay_choice, own_peer, relay_schema
from .client import create_isapi_client, create_vapix_client
from .const import (
    CONF_ALLOW_BASIC_OVER_HTTP,
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
from .discovery import DiscoveredDevice, is_axis_mac
from .entry import TalkbackConfigEntry
from .errors import DEVICE_ERRORS, DeviceError, is_authentication_error
from .hikvision.data import HikvisionData
from .hikvision.device import device_name as hikvision_device_name
from .isapi.exceptions import (
    IsapiAuthenticationError,
    IsapiBasicRefusedError,
    IsapiConnectionError,
    IsapiNotSupportedError,
)
from .vapix.discovery import UnrestrictedInfo, get_unrestricted_info, owner_name
from .vapix.exceptions import (
    VapixBasicRefusedError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
    VapixValidationError,
)

DEFAULT_HTTP_PORT = 80
PORT_SELECTOR = NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX))

CONNECTION_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_HTTP_PORT): PORT_SELECTOR,
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
PEER_CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): CREDENTIALS_SCHEMA.schema[CONF_USERNAME],
        vol.Optional(CONF_PASSWORD): CREDENTIALS_SCHEMA.schema[CONF_PASSWORD],
    }
)
"""A relay peer's card: empty password means the leader's (never sent to the browser)."""
DHCP_CONFIRM_SCHEMA = CREDENTIALS_SCHEMA.extend(
    {vol.Required(CONF_PORT, default=DEFAULT_HTTP_PORT): PORT_SELECTOR}
)
"""DHCP tells no port: the card asks for it next to the credentials."""

BASIC_CHOICE_SCHEMA = vol.Schema({vol.Required(CONF_ALLOW_BASIC_OVER_HTTP, default=False): bool})
"""Offered once the device turned out to accept only Basic over plain HTTP."""

NO_AUDIO_REASONS = frozenset({"not_supported", "no_audio_output"})
"""Probe results that end a discovered card: the device cannot play what Talkback sends."""


@dataclass(frozen=True, slots=True)
class ProbedDevice:
    """What answered at the address: its vendor, name, model and the normalised MAC."""

    vendor: str
    title: str
    unique_id: str
    relay: bool = False
    """Whether the device has the audio relay API (Axis only)."""


class ProbeError(Exception):
    """Connecting failed: why (a translation key), and which form field it concerns."""

    def __init__(self, field: str, reason: str) -> None:
        """Remember the field (`base` for the form as a whole) and the reason."""
        super().__init__(reason)
        self.field = field
        self.reason = reason

    def errors_on(self, schema: vol.Schema) -> dict[str, str]:
        """The error on its field when the form has it, else on the form."""
        fields = {str(key) for key in schema.schema}
        return {self.field if self.field in fields else "base": self.reason}


class TalkbackConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a camera, door station, recorder or network speaker."""

    VERSION = 1
    _basic_offered = False
    _probed: ProbedDevice
    _data: dict[str, Any]
    _discovered: DiscoveredDevice

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: TalkbackConfigEntry) -> TalkbackOptionsFlow:
        """Options for a configured device."""
        return TalkbackOptionsFlow()

    def _form_schema(self, schema: vol.Schema) -> vol.Schema:
        """The step's fields, plus the Basic choice once the device asked for Basic."""
        return schema.extend(BASIC_CHOICE_SCHEMA.schema) if self._basic_offered else schema

    async def _async_probe(self, data: Mapping[str, Any]) -> ProbedDevice:
        """Probe (see `_async_probe_device`); a Basic refusal offers the choice on the form."""
        try:
            return await self._async_probe_device(data)
        except ProbeError as err:
            if err.reason == "basic_refused":
                self._basic_offered = True
            raise

    async def _async_probe_device(self, data: Mapping[str, Any]) -> ProbedDevice:
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
            VENDOR_HIKVISION, hikvision_device_name(device), format_mac(device.mac_address)
        )

    async def _async_probe_vapix(self, data: Mapping[str, Any]) -> ProbedDevice:
        client = create_vapix_client(self.hass, data)
        device = await client.device_info()
        if not device.has_audio_output:
            raise ProbeError("base", "no_audio_output")
        return ProbedDevice(
            VENDOR_AXIS,
            axis_device_name(device, await client.friendly_name()),
            format_mac(device.mac_address or device.serial_number),
            relay=device.relay_api_supported,
        )

    async def _async_add(self, device: ProbedDevice, data: dict[str, Any]) -> ConfigFlowResult:
        """The probed device becomes an entry (after the relay step, when it has the API)."""
        self._probed = device
        self._data = {**data, CONF_VENDOR: device.vendor}
        if device.relay:
            return await self.async_step_relay()
        return self.async_create_entry(title=device.title, data=self._data)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the device's address and credentials."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_ALLOW_BASIC_OVER_HTTP: False, **_normalised(user_input)}
            try:
                device = await self._async_probe(data)
            except ProbeError as err:
                errors = err.errors_on(USER_SCHEMA)
            else:
                # A discovered card of the same device may be open: this flow goes on.
                await self.async_set_unique_id(device.unique_id, raise_on_progress=False)
                self._abort_if_unique_id_configured(updates={CONF_HOST: data[CONF_HOST]})
                return await self._async_add(device, data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._form_schema(USER_SCHEMA), user_input
            ),
            errors=errors,
        )

    # Discovery -------------------------------------------------------------------------

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A Hikvision or Axis MAC took an address (or a known device moved)."""
        await self.async_set_unique_id(format_mac(discovery_info.macaddress))
        self._abort_if_unique_id_configured(updates={CONF_HOST: discovery_info.ip})
        if is_axis_mac(discovery_info.macaddress):
            # The host name is the owner's choice too (Network.HostName, axis-<mac> at first).
            hostname = discovery_info.hostname
            name = None if hostname.lower().startswith("axis-") else hostname or None
            return await self._async_discovered_axis(
                discovery_info.ip, DEFAULT_HTTP_PORT, name, port_known=False
            )
        # Hikvision devices tell nothing without credentials: the card asks for them.
        return await self._async_discovered(
            DiscoveredDevice(
                VENDOR_HIKVISION,
                discovery_info.ip,
                DEFAULT_HTTP_PORT,
                "Hikvision",
                port_known=False,
            )
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """An Axis device announced itself (`_axis-video._tcp`), or a known one moved."""
        mac = discovery_info.properties.get("macaddress", "")
        if not is_axis_mac(mac):
            return self.async_abort(reason="not_axis_device")
        if discovery_info.ip_address.is_link_local:
            return self.async_abort(reason="link_local_address")
        await self.async_set_unique_id(format_mac(mac))
        self._abort_if_unique_id_configured(
            updates={CONF_HOST: discovery_info.host, CONF_PORT: discovery_info.port}
        )
        # The service name is the device's friendly name: "Hall._axis-video._tcp.local.".
        announced = discovery_info.name.removesuffix(f".{discovery_info.type}")
        return await self._async_discovered_axis(
            discovery_info.host, discovery_info.port or DEFAULT_HTTP_PORT, announced
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A relay leader in Talkback knows a peer that has no entry yet (axis/discovery.py)."""
        await self.async_set_unique_id(format_mac(discovery_info["mac"]))
        self._abort_if_unique_id_configured()
        leader = self.hass.config_entries.async_get_entry(discovery_info[CONF_LEADER_ENTRY])
        return await self._async_discovered(
            DiscoveredDevice(
                VENDOR_AXIS,
                discovery_info[CONF_HOST],
                DEFAULT_HTTP_PORT,
                discovery_info.get("model") or "Axis",
                discovery_info.get("name"),
                # Relay networks are often set up with one account on every device.
                credentials={key: leader.data[key] for key in (CONF_USERNAME, CONF_PASSWORD)}
                if leader is not None
                else {},
            )
        )

    async def _async_discovered_axis(
        self, host: str, port: int, announced: str | None, *, port_known: bool = True
    ) -> ConfigFlowResult:
        """Show a card only for an Axis device made to play sound.

        Core's axis integration claims the same announcements for its cameras; this asks
        the device who it is without credentials and leaves everything else alone.
        """
        session = async_get_clientsession(self.hass)
        try:
            info: UnrestrictedInfo = await get_unrestricted_info(session, host, port=port)
        except VapixConnectionError:
            return self.async_abort(reason="cannot_connect")
        except VapixError as err:
            LOGGER.debug("%s does not say what it is without credentials: %s", host, err)
            return self.async_abort(reason="not_audio_device")
        if not info.plays_audio:
            return self.async_abort(reason="not_audio_device")
        return await self._async_discovered(
            DiscoveredDevice(
                VENDOR_AXIS,
                host,
                port,
                info.model,
                owner_name(announced, info.serial_number),
                port_known=port_known,
            )
        )

    async def _async_discovered(self, device: DiscoveredDevice) -> ConfigFlowResult:
        self._discovered = device
        self.context["title_placeholders"] = {"name": device.label}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in to a discovered device; one that cannot play audio ends the card."""
        found = self._discovered
        known_password = found.credentials.get(CONF_PASSWORD)
        if known_password:
            schema = PEER_CREDENTIALS_SCHEMA
        else:
            schema = CREDENTIALS_SCHEMA if found.port_known else DHCP_CONFIRM_SCHEMA
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_HOST: found.host,
                CONF_PORT: found.port,
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_ALLOW_BASIC_OVER_HTTP: False,
                **user_input,
            }
            data[CONF_PORT] = int(data[CONF_PORT])
            data[CONF_PASSWORD] = data.get(CONF_PASSWORD) or known_password
            try:
                device = await self._async_probe(data)
            except ProbeError as err:
                if err.reason in NO_AUDIO_REASONS:
                    return self.async_abort(reason=err.reason)
                errors = err.errors_on(schema)
            else:
                if device.unique_id != self.unique_id:
                    return self.async_abort(reason="wrong_device")
                return await self._async_add(device, data)
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=self.add_suggested_values_to_schema(
                self._form_schema(schema),
                user_input
                or {CONF_PORT: found.port, CONF_USERNAME: found.credentials.get(CONF_USERNAME)},
            ),
            description_placeholders={"name": found.label},
            errors=errors,
        )

    # Relay network, reauth, reconfigure -----------------------------------------------

    async def async_step_relay(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Build or extend a relay network with the new device (or leave it alone)."""
        device = self._probed
        client = create_vapix_client(self.hass, self._data)
        errors: dict[str, str] = {}
        placeholders = {"name": device.title, "error": ""}
        schema: vol.Schema | None = None
        try:
            discovered = await client.get_discovered_audio_peers()
            schema = relay_schema(self.hass, device.unique_id, device.title, discovered)
            if user_input is not None:
                own = own_peer(device.title, device.unique_id, self._data)
                await apply_relay_choice(self.hass, client, own, discovered, user_input)
                return self.async_create_entry(title=device.title, data=self._data)
        except VapixValidationError as err:
            errors = {"base": "invalid_network"}
            placeholders["error"] = str(err)
        except DEVICE_ERRORS as err:
            errors = {"base": _probe_error(self._data, err).reason}
        if schema is None:
            schema = relay_schema(self.hass, device.unique_id, device.title, ())
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
            suggested=user_input or {CONF_USERNAME: entry.data[CONF_USERNAME]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the device is reached; it must stay the same device."""
        entry = self._get_reconfigure_entry()
        return await self._async_step_same_device(
            "reconfigure",
            entry,
            user_input and {CONF_ALLOW_BASIC_OVER_HTTP: False, **_normalised(user_input)},
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
    ) -> ConfigFlowResult:
        """A form that changes a configured entry: the changed data must reach the same device.

        Reauth and reconfigure differ only in what they ask for.
        """
        errors: dict[str, str] = {}
        if changes is not None:
            try:
                device = await self._async_probe({**entry.data, **changes})
            except ProbeError as err:
                errors = err.errors_on(schema)
            else:
                await self.async_set_unique_id(device.unique_id, raise_on_progress=False)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(entry, data_updates=changes)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(self._form_schema(schema), suggested),
            description_placeholders={"name": entry.title},
            errors=errors,
        )


class TalkbackOptionsFlow(OptionsFlowWithReload):
    """What a user tunes: prebuffer, maximum play time, channels with a speaker."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options (also while the device is not loaded)."""
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
        if channels := _channel_options(entry):  # an Axis device has one output
            schema = schema.extend(
                {
                    vol.Required(
                        CONF_CHANNELS, default=[option["value"] for option in channels]
                    ): SelectSelector(SelectSelectorConfig(options=channels, multiple=True))
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, entry.options),
            description_placeholders={"name": entry.title},
        )


def _channel_options(entry: TalkbackConfigEntry) -> list[SelectOptionDict]:
    """The talk channels of a Hikvision device, "Channel 1 (G.711ulaw)".

    A loaded entry knows them as last read; an unloaded one offers the channels chosen
    before (its device cannot be asked without its credentials being checked).
    """
    if entry.state is ConfigEntryState.LOADED and isinstance(entry.runtime_data, HikvisionData):
        return [
            SelectOptionDict(
                value=channel_id, label=f"Channel {channel_id} ({channel.audio_compression_type})"
            )
            for channel_id, channel in sorted(entry.runtime_data.coordinator.data.items())
        ]
    return [
        SelectOptionDict(value=channel_id, label=f"Channel {channel_id}")
        for channel_id in entry.options.get(CONF_CHANNELS, [])
    ]


def _normalised(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Form input as stored: a bare host (IPv6 without brackets) and an integer port."""
    data = dict(user_input)
    data[CONF_HOST] = data[CONF_HOST].strip().removeprefix("[").removesuffix("]")
    data[CONF_PORT] = int(data[CONF_PORT])
    return data


def _probe_error(data: Mapping[str, Any], err: DeviceError) -> ProbeError:
    """The form field an error concerns, and why (`errors_on` falls back to the form)."""
    if isinstance(err, IsapiBasicRefusedError | VapixBasicRefusedError):
        return ProbeError("base", "basic_refused")
    if is_authentication_error(err):
        return ProbeError(CONF_PASSWORD, "invalid_auth")
    if isinstance(err, IsapiConnectionError | VapixConnectionError):
        return ProbeError(CONF_HOST, "cannot_connect")
    if isinstance(err, IsapiNotSupportedError | VapixNotSupportedError):
        return ProbeError("base", "not_supported")
    LOGGER.warning("Unexpected answer from %s: %s", data[CONF_HOST], err)
    return ProbeError("base", "unknown")
