"""What the Home Assistant tests share: the simulated devices, entry data, actions, checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
import logging
from pathlib import Path
import sys
import time
from typing import Any

from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    SERVICE_PLAY_MEDIA,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback.const import CONF_VENDOR, VENDOR_HIKVISION
from simulator.axis import AxisSpeaker
from simulator.core import Recording
from simulator.core.g711 import decode
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .audio_fixtures import rms

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
BASIC_WARNING = "accepts only Basic authentication"
"""What the warning about an entry sending its password with Basic over HTTP says."""
DOOR_STATION = CameraConfig(
    model="DS-KV8213-WME1",
    serial="DS-KV8213-WME1C20240515CCRRFA1234567",
    mac="24:0f:9b:aa:bb:cc",
    device_name="Gate",
    device_type="VIS",
    password="correct horse",
    channels=(ChannelConfig(id=1), ChannelConfig(id=2, codec="G.711alaw", speaker_volume=70)),
)


def user_input(device: HikvisionCamera | AxisSpeaker, **changes: Any) -> dict[str, Any]:
    """What a user types for a simulated device."""
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: device.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: device.config.username,
        CONF_PASSWORD: device.config.password,
    } | changes


def entry_data(device: HikvisionCamera | AxisSpeaker, **changes: Any) -> dict[str, Any]:
    """Config entry data (as the user step stores it) for a simulated device."""
    return user_input(device, **{CONF_VENDOR: VENDOR_HIKVISION, **changes})


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up an entry."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def assert_one_basic_warning(caplog: pytest.LogCaptureFixture, name: str, password: str) -> None:
    """An entry from before `allow_basic_over_http` warned once, naming the device, not the secret."""
    [warning] = [record for record in caplog.records if BASIC_WARNING in record.getMessage()]
    assert warning.levelname == "WARNING"
    assert name in warning.getMessage()
    assert password not in caplog.text


def device_entities(hass: HomeAssistant, device: dr.AnyDeviceEntry | None) -> dict[str, str]:
    """Entity ids of a device's entities (disabled ones too), by unique id."""
    assert device is not None
    return {
        registered.unique_id: registered.entity_id
        for registered in er.async_entries_for_device(
            er.async_get(hass), device.id, include_disabled_entities=True
        )
    }


def live(hass: HomeAssistant, entity_ids: Iterable[str]) -> set[str]:
    """The entities of these that have a state, and are available."""
    return {
        entity_id
        for entity_id in entity_ids
        if (state := hass.states.get(entity_id)) is not None and state.state != STATE_UNAVAILABLE
    }


def assert_nothing_added_twice(caplog: pytest.LogCaptureFixture) -> None:
    """No entity was added a second time with a unique id that exists (nor anything warned)."""
    assert "already exists" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


async def play(
    hass: HomeAssistant, entity_id: str | list[str], media_id: str, **extra: Any
) -> None:
    """play_media, blocking like a script step."""
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN,
        SERVICE_PLAY_MEDIA,
        {
            ATTR_ENTITY_ID: entity_id,
            ATTR_MEDIA_CONTENT_ID: media_id,
            ATTR_MEDIA_CONTENT_TYPE: "music",
            **extra,
        },
        blocking=True,
    )


async def failed_play(hass: HomeAssistant, entity_id: str, media_id: str) -> tuple[str, float]:
    """Play media that must fail: the error's translation key and how long the call took."""
    started = time.monotonic()
    with pytest.raises(HomeAssistantError) as caught:
        await play(hass, entity_id, media_id)
    return str(caught.value.translation_key), time.monotonic() - started


async def until(condition: Callable[[], bool], seconds: float = 8.0) -> None:
    """Wait until something a background task does has happened."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.02)


def heard(recording: Recording) -> float:
    """Loudness of what the device heard (RMS of the decoded samples)."""
    assert recording.encoding is not None
    return rms(decode(bytes(recording.data), recording.encoding))


# ffmpeg runs are counted from the interpreter's audit events: every way of starting a process
# (asyncio's create_subprocess_exec included) goes through subprocess.Popen, which reports it.
# An audit hook cannot be removed, so one hook serves every recorder.
_ffmpeg_recorders: list[list[tuple[str, ...]]] = []
_hook_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen" or not _ffmpeg_recorders:
        return
    executable, argv = args[0], args[1]
    command = tuple(map(str, argv if isinstance(argv, list | tuple) else [argv]))
    program = str(executable) if executable else command[0]
    if "ffmpeg" in Path(program).name:
        for recorder in _ffmpeg_recorders:
            recorder.append(command)


@contextmanager
def recorded_ffmpeg_runs() -> Iterator[list[tuple[str, ...]]]:
    """Every ffmpeg command line started inside the block (ffmpeg itself runs as usual)."""
    global _hook_installed  # noqa: PLW0603 (one hook per process)
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    runs: list[tuple[str, ...]] = []
    _ffmpeg_recorders.append(runs)
    try:
        yield runs
    finally:
        _ffmpeg_recorders.remove(runs)
