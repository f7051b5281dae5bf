"""Store Home Assistant's http settings (bind address, port) before `hass` starts.

Home Assistant 2026.10 keeps them in `.storage/http`, set in the UI (Settings -> System ->
Network); an `http:` block in configuration.yaml is imported once as an unconfirmed trial
and raises a repair (deprecated, breaks in 2027.2). Writing them with Home Assistant's own
store, as a confirmed ("stable") configuration, gives a fresh start with neither.
"""

from __future__ import annotations

import logging
from pathlib import Path

from homeassistant.components.http.config import HTTPConfigStore
from homeassistant.components.http.const import CONF_SERVER_HOST, CONF_SERVER_PORT
from homeassistant.core import CoreState, HomeAssistant

LOOPBACK = "127.0.0.1"


async def store_http_settings(config_dir: Path, port: int, host: str = LOOPBACK) -> None:
    """Make `host:port` the confirmed http settings of the configuration directory.

    Runs offline; goes through the same import-and-confirm path as a YAML block the user
    then confirms in the UI, so the stored file is exactly what Home Assistant writes.
    """
    hass = HomeAssistant(str(config_dir))
    store = HTTPConfigStore(hass)
    await store.async_load()
    # Stable settings equal to these leave nothing pending: nothing to confirm then.
    await store.async_migrate_yaml({CONF_SERVER_HOST: [host], CONF_SERVER_PORT: port})
    if store.pending is not None:
        await store.async_promote_pending()
    logging.getLogger("homeassistant.core").setLevel(logging.WARNING)
    hass.set_state(CoreState.running)
    await hass.async_stop()
