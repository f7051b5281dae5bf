"""Lay out a Home Assistant configuration directory that loads Talkback from this checkout."""

from __future__ import annotations

from pathlib import Path
import shutil

from .owner import ensure_owner, mark_onboarded

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "config" / "configuration.yaml"
BLUEPRINTS = ROOT / "blueprints" / "automation" / "talkback"
INTEGRATIONS = {
    "talkback": ROOT / "custom_components" / "talkback",
    "offline_speech": ROOT / "devtools" / "speech",
    "demo_lan": ROOT / "devtools" / "lan",
}


def link_integrations(config_dir: Path) -> None:
    """Link Talkback, the offline TTS engine and the demo LAN into CONFIG/custom_components.

    Home Assistant imports `custom_components` from the configuration directory first; a
    regular package there (with __init__.py) wins over any other on sys.path.
    """
    target = config_dir / "custom_components"
    target.mkdir(parents=True, exist_ok=True)
    (target / "__init__.py").touch()
    for domain, source in INTEGRATIONS.items():
        link = target / domain
        if link.is_symlink() or link.exists():
            if link.resolve() == source:
                continue
            link.unlink()
        link.symlink_to(source, target_is_directory=True)


def link_blueprints(config_dir: Path) -> None:
    """Link Talkback's automation blueprints where an import would put them."""
    link = config_dir / "blueprints" / "automation" / "talkback"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.resolve() == BLUEPRINTS:
            return
        link.unlink()
    link.symlink_to(BLUEPRINTS, target_is_directory=True)


async def prepare_config_dir(config_dir: Path, username: str, password: str) -> None:
    """Configuration, integrations, owner account and finished onboarding, ready for `hass`."""
    config_dir.mkdir(parents=True, exist_ok=True)
    if config_dir.resolve() != TEMPLATE.parent.resolve():
        shutil.copyfile(TEMPLATE, config_dir / "configuration.yaml")
    link_integrations(config_dir)
    link_blueprints(config_dir)
    automations = config_dir / "automations.yaml"
    if not automations.exists():  # the UI (and develop) store automations here
        automations.write_text("[]\n")
    await ensure_owner(config_dir, username, password, "Talkback developer")
    mark_onboarded(config_dir)
