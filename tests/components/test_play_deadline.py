"""A play's two bounds over all its steps (deadline.py), through the media player.

Each step below stays within its own timeout; only their sum is too slow. The bounds are
scaled down for speed (the module's constants), the devices are the simulators.
"""

from __future__ import annotations

from pathlib import Path
import time

from homeassistant.components.media_player import MediaPlayerState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback import deadline
from simulator.core import Fault, FaultKind
from simulator.hikvision import HikvisionCamera

from .audio_fixtures import write_tone
from .helpers import failed_play, play, until

pytestmark = pytest.mark.usefixtures("socket_enabled")

SPEAKER = "media_player.front_door"
TONE = "media-source://media_source/local/tone.wav"
START = 1.0
END = 0.5
SLACK = 1.0  # ffmpeg's start and exit, the event loop of a busy machine


@pytest.fixture(autouse=True)
def short_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounds of a second or less, so that slow steps add up quickly."""
    monkeypatch.setattr(deadline, "PLAY_START_TIMEOUT", START)
    monkeypatch.setattr(deadline, "PLAY_END_TIMEOUT", END)


@pytest.mark.usefixtures("loaded_entry")
async def test_device_slow_at_every_step_misses_the_start(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """Close and open each answer in 0.6 s (well within their own 5 s): together past the
    start bound, the play fails then, and the session the device opened is closed."""
    write_tone(media_dir / "tone.wav", 0.4)
    camera.faults.add(Fault(FaultKind.DELAY, path="*/close", seconds=0.6, count=1))
    camera.faults.add(Fault(FaultKind.DELAY, path="*/open", seconds=0.6, count=1))
    key, took = await failed_play(hass, SPEAKER, TONE)
    assert key == "start_timeout"
    assert took < START + SLACK
    assert hass.states.get(SPEAKER).state == MediaPlayerState.IDLE
    await until(lambda: camera.channels[1].session is None)


@pytest.mark.usefixtures("loaded_entry")
async def test_device_that_never_confirms_misses_the_end(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The camera takes the audio and never answers: the end bound, not the talk socket's
    own answer timeout (5 s), ends the play, and nothing is left open."""
    write_tone(media_dir / "tone.wav", 0.4)
    camera.faults.add(Fault(FaultKind.SILENT_END, path="*/audioData", seconds=5.0))
    key, took = await failed_play(hass, SPEAKER, TONE)
    assert key == "end_timeout"
    assert took < 0.4 + END + SLACK
    await until(lambda: camera.channels[1].session is None)


@pytest.mark.usefixtures("loaded_entry")
async def test_hanging_close_after_a_confirmed_end_is_no_failure(
    hass: HomeAssistant, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The audio was confirmed; the close then hangs (2 s, within its own 5 s): the play
    returns as played once the end bound passes, the close finishes in the background."""
    write_tone(media_dir / "tone.wav", 0.6)
    playing = hass.async_create_task(play(hass, SPEAKER, TONE))
    await until(lambda: camera.channels[1].session is not None)
    camera.faults.add(Fault(FaultKind.DELAY, path="*/close", seconds=2.0, count=1))
    started = time.monotonic()
    await playing
    assert time.monotonic() - started < 0.6 + END + SLACK
    assert camera.channels[1].session is not None  # still closing
    await until(lambda: camera.channels[1].session is None)


async def test_bounds_are_named_in_the_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera, media_dir: Path
) -> None:
    """The error says which bound, in seconds."""
    write_tone(media_dir / "tone.wav", 0.2)
    camera.faults.add(Fault(FaultKind.DELAY, path="*/open", seconds=START + 0.2, count=1))
    with pytest.raises(HomeAssistantError) as caught:
        await play(hass, SPEAKER, TONE)
    assert caught.value.translation_placeholders == {"seconds": "1"}
    assert "did not start taking the audio within 1 s" in str(caught.value)
