"""Fixtures: a simulated camera on 127.0.0.1 and a config entry pointing at it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.talkback.const import CONF_VENDOR, DOMAIN, VENDOR_HIKVISION
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/talkback in every integration test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format (registry ids and times left out)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


CAMERA_MAC = "c0:56:e3:12:34:56"
CAMERA_SERIAL = "DS-2CD2386G2-IU20240101AAWRJ12345678"
CAMERA = CameraConfig(
    model="DS-2CD2386G2-IU",
    serial=CAMERA_SERIAL,
    mac=CAMERA_MAC,
    device_name="Front door",
    password="correct horse",
    session_id="a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
)
DOOR_STATION = CameraConfig(
    model="DS-KV8213-WME1",
    serial="DS-KV8213-WME1C20240515CCRRFA1234567",
    mac="24:0f:9b:aa:bb:cc",
    device_name="Gate",
    device_type="VIS",
    password="correct horse",
    channels=(ChannelConfig(id=1), ChannelConfig(id=2, codec="G.711alaw", speaker_volume=70)),
)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def camera_config() -> CameraConfig:
    """The simulated device; override in a module for other devices."""
    return CAMERA


@pytest.fixture
async def camera(
    socket_enabled: None, camera_config: CameraConfig
) -> AsyncGenerator[HikvisionCamera]:
    """The simulated camera, listening on 127.0.0.1."""
    async with HikvisionCamera(camera_config) as device:
        yield device


def entry_data(device: HikvisionCamera, **changes: Any) -> dict[str, Any]:
    """Config entry data (as the user step stores it) for a simulated device."""
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: device.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: device.config.username,
        CONF_PASSWORD: device.config.password,
        CONF_VENDOR: VENDOR_HIKVISION,
    } | changes


@pytest.fixture
def config_entry(camera: HikvisionCamera) -> MockConfigEntry:
    """A config entry for the simulated camera (not yet added)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=camera.config.device_name,
        unique_id=camera.config.mac,
        data=entry_data(camera),
    )


@pytest.fixture
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Local media (media-source://media_source/local/...) is read from here."""
    hass.config.media_dirs = {"local": str(tmp_path)}
    return tmp_path


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, media_dir: Path
) -> MockConfigEntry:
    """The config entry, set up."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
