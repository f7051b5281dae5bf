"""Fixtures: a simulated camera on 127.0.0.1, a config entry pointing at it, ffmpeg runs."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Iterator
from pathlib import Path
from unittest.mock import PropertyMock, patch

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.talkback.const import DOMAIN
from simulator.hikvision import CameraConfig, HikvisionCamera
from tests.speech.fixtures import offline_speech_integration, synthesizer  # noqa: F401

from .helpers import CAMERA, entry_data, recorded_ffmpeg_runs


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/talkback in every integration test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format (registry ids and times left out)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture(autouse=True)
async def homeassistant_integration(hass: HomeAssistant) -> None:
    """Set up `homeassistant`, as every real instance has it.

    Talkback depends on assist_satellite, whose conversation agent reads the entities exposed
    to it, which the `homeassistant` integration keeps.
    """
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture(autouse=True)
def tts_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TTS results are cached in the test's own directory, not in PHACC's shared config."""
    monkeypatch.setattr("homeassistant.components.tts.DEFAULT_CACHE_DIR", str(tmp_path / "tts"))


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


@pytest.fixture
def ffmpeg_runs() -> Iterator[list[tuple[str, ...]]]:
    """Every ffmpeg command line started during the test."""
    with recorded_ffmpeg_runs() as runs:
        yield runs
