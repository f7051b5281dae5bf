"""Diagnostics: everything Talkback read, nothing secret or personal."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .helpers import CAMERA

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entry, device, settings and raw channel XML, with secrets redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert diagnostics == snapshot(exclude=props("port"))
    text = json.dumps(diagnostics)
    for secret in (CAMERA.password, CAMERA.serial, CAMERA.mac, CAMERA.mac.replace(":", "")):
        assert secret not in text
    assert "<speakerVolume>50</speakerVolume>" in diagnostics["channels"]["1"]["raw"]
