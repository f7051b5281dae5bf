"""Give a Home Assistant configuration directory an owner account and finished onboarding.

Runs offline, before `hass` starts, with Home Assistant's own auth manager, so the stored
users, credentials and password hash are exactly what Home Assistant writes itself.

    python -m devtools.owner CONFIG_DIR --username dev --password talkback
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path

from homeassistant.auth import auth_manager_from_config
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.providers.homeassistant import HassAuthProvider
from homeassistant.components.onboarding.const import STEPS
from homeassistant.config_entries import ConfigEntries
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

ONBOARDING_STORAGE_VERSION = 4


async def ensure_owner(config_dir: Path, username: str, password: str, name: str) -> bool:
    """Create the owner account unless the directory already has one; True when created."""
    hass = HomeAssistant(str(config_dir))
    hass.config_entries = ConfigEntries(hass, {})
    await hass.config_entries.async_initialize()
    dr.async_setup(hass)
    await asyncio.gather(dr.async_load(hass), er.async_load(hass))
    hass.auth = await auth_manager_from_config(hass, [{"type": "homeassistant"}], [])
    provider = hass.auth.auth_providers[0]
    assert isinstance(provider, HassAuthProvider)
    await provider.async_initialize()

    created = False
    if not any(user.is_owner for user in await hass.auth.async_get_users()):
        user = await hass.auth.async_create_user(name, group_ids=[GROUP_ID_ADMIN])
        await provider.async_add_auth(username, password)
        credentials = await provider.async_get_or_create_credentials({"username": username})
        await hass.auth.async_link_user(user, credentials)
        created = True

    logging.getLogger("homeassistant.core").setLevel(logging.WARNING)
    # Stores write on the final-write event, which a never-started instance does not fire.
    hass.set_state(CoreState.running)
    await hass.async_stop()
    return created


def mark_onboarded(config_dir: Path) -> None:
    """Record every onboarding step as done, so the UI opens on the login page."""
    storage = config_dir / ".storage" / "onboarding"
    storage.parent.mkdir(parents=True, exist_ok=True)
    storage.write_text(
        json.dumps(
            {
                "version": ONBOARDING_STORAGE_VERSION,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": list(STEPS)},
            },
            indent=2,
        )
    )


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--name", default="Talkback developer")
    args = parser.parse_args()
    created = asyncio.run(ensure_owner(args.config_dir, args.username, args.password, args.name))
    mark_onboarded(args.config_dir)
    print("owner account created" if created else "owner account already present")


if __name__ == "__main__":
    main()
