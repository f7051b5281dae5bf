"""The campaign through Home Assistant: `media_player.play_media` on Talkback's speakers.

An in-process Home Assistant (PHACC's test instance: real core, real config entries,
real service calls, registries in memory) runs Talkback with a simulated Hikvision camera
and a simulated Axis speaker added as config entries. Each episode arms one simulator
fault, plays a local WAV file through the media player (real ffmpeg, the adapter's own
timeouts), and then waits a bounded time for everything to settle before it looks at the
device's session, ffmpeg children, new sockets and tasks, and the entity's state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
import os
from pathlib import Path
import random
import tempfile
import time
from typing import Any
from unittest.mock import patch
import wave

from homeassistant import loader
from homeassistant.components.media_player.const import (
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
    SERVICE_MEDIA_STOP,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, frame
from homeassistant.helpers.aiohttp_client import DATA_CONNECTOR
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_test_home_assistant  # type: ignore[import-untyped]

from custom_components.talkback.audio import FRAME_BYTES
from custom_components.talkback.audio.const import DEFAULT_LEAD
from custom_components.talkback.const import CONF_VENDOR, DOMAIN, VENDOR_AXIS, VENDOR_HIKVISION
from custom_components.talkback.deadline import PLAY_END_TIMEOUT, PLAY_START_TIMEOUT
from custom_components.talkback.isapi import const as isapi_const
from custom_components.talkback.vapix import const as vapix_const
import simulator
from simulator.axis import AxisSpeaker, AxisSpeakerConfig
from simulator.core import Fault, FaultKind, FaultPlan, Recording
from simulator.hikvision import CameraConfig, HikvisionCamera

from .judge import HANG, SUCCESS, Episode
from .link import SlowLink

PASSWORD = "campaign-secret"  # noqa: S105 - a simulator's test password
BYTES_PER_SECOND = 8000
MEDIA = "media-source://media_source/local/campaign.wav"
# Longest a play may take: the play's own bounds (deadline.py) over all of its steps, to
# start taking audio, to confirm the end (a device that stops reading before the end fails
# within the stall bound, sooner), to close; plus ffmpeg's start and exit.
PLAY_STEPS = PLAY_START_TIMEOUT + 2 * PLAY_END_TIMEOUT + 3.0
# After the call: background closes (an unanswered open is closed twice, the second time
# one open timeout later) and a close's own bound, then the device must be idle.
SETTLE_SECONDS = isapi_const.OPEN_TIMEOUT + 2 * isapi_const.CLOSE_TIMEOUT + 2.0
POLL = 0.1
# STOP returns at once whatever the device does (its close finishes in the background).
STOP_BOUND = 1.0
# A mid-stream 401 loses what was in flight when the device refused: the lead and a frame.
REAUTH_LOSS = int(DEFAULT_LEAD * BYTES_PER_SECOND) + FRAME_BYTES
# A decoder's last frame may be padded or cut.
END_SLACK = 2 * FRAME_BYTES


@dataclass(frozen=True, slots=True)
class HomeCase:
    """A fault kind: which device, and the fault (made with the episode's randomness)."""

    name: str
    device: str  # HIK, SLOW or AXIS
    make: Callable[[random.Random, int], Fault]  # (rng, audio bytes) -> fault
    # SLOW only: the link's seconds between answer bytes are drawn from this range.
    trickle: tuple[float, float] | None = None
    stop: bool = False  # STOP (media_stop) at a random moment of the play
    retry: bool = False  # play again at once, the fault gone (judged: the second play)
    due: str | None = None  # the outcome the fault must give (None: any translated one)
    wrong: frozenset[str] = frozenset()  # outcomes it must never give


def _moment(rng: random.Random, audio: int) -> int:
    """A random point in the audio, in bytes."""
    return rng.randrange(FRAME_BYTES, max(audio - FRAME_BYTES, FRAME_BYTES + 1))


HIK, AXIS = VENDOR_HIKVISION, VENDOR_AXIS
SLOW = "slow"  # a camera behind a link that can trickle its answers
SLOW_SERIAL = "DS-2CD2386G2-IU20240101AAWRJ00000002"
NOT_PLAYED = frozenset({SUCCESS})  # the device dropped or refused audio: never "played"
STALE = frozenset({"invalid_auth"})  # a stale nonce is no wrong password
NOT_REFUSED = frozenset({"invalid_auth", "channel_busy", "not_supported"})  # slow is no "no"
TALK = "*/audioData"
OPEN = "*/open"
CLOSE = "*/close"
TRANSMIT = "*/transmit.cgi"
OPEN_TIMEOUT = isapi_const.OPEN_TIMEOUT
CASES = (
    HomeCase("none", HIK, lambda r, a: Fault(FaultKind.DELAY, path="/nothing"), due=SUCCESS),
    HomeCase("reset", HIK, lambda r, a: Fault(FaultKind.DROP_AFTER_RECEIVED, path=TALK, nbytes=_moment(r, a)), wrong=NOT_PLAYED),
    HomeCase("stop_reading", HIK, lambda r, a: Fault(FaultKind.STOP_READING, path=TALK, nbytes=_moment(r, a)), wrong=NOT_PLAYED),
    HomeCase("hang_on_open", HIK, lambda r, a: Fault(FaultKind.DELAY, path=OPEN, seconds=OPEN_TIMEOUT + 3, count=1), due="cannot_connect"),
    HomeCase("late_open", HIK, lambda r, a: Fault(FaultKind.DELAY, path=OPEN, seconds=OPEN_TIMEOUT + r.uniform(0.1, 1.5), count=1), due="cannot_connect"),
    HomeCase("reauth_mid_stream", HIK, lambda r, a: Fault(FaultKind.REAUTH, path=TALK, nbytes=_moment(r, a), count=1), wrong=STALE),
    HomeCase("reauth_every_time", HIK, lambda r, a: Fault(FaultKind.REAUTH, path=TALK, nbytes=2 * FRAME_BYTES), wrong=STALE),
    HomeCase("busy_503", HIK, lambda r, a: Fault(FaultKind.STATUS, path=OPEN, status=503), due="channel_busy"),
    HomeCase("refused_403", HIK, lambda r, a: Fault(FaultKind.STATUS, path=OPEN, status=403, reason="notSupport"), due="not_supported"),
    HomeCase("close_error_500", HIK, lambda r, a: Fault(FaultKind.STATUS, path=CLOSE, status=500, count=1), due=SUCCESS),
    HomeCase("close_not_supported", HIK, lambda r, a: Fault(FaultKind.STATUS, path=CLOSE, status=403, reason="notSupport", count=1), due=SUCCESS),
    HomeCase("hanging_close", HIK, lambda r, a: Fault(FaultKind.DELAY, path=CLOSE, seconds=r.uniform(0.5, isapi_const.CLOSE_TIMEOUT - 0.5)), due=SUCCESS),
    HomeCase("garbage_answer", HIK, lambda r, a: Fault(FaultKind.MALFORMED, path=OPEN, count=1), wrong=NOT_PLAYED),
    HomeCase("truncated_answer", HIK, lambda r, a: Fault(FaultKind.TRUNCATED, path=OPEN, count=1), wrong=NOT_PLAYED),
    HomeCase("ok_then_close", HIK, lambda r, a: Fault(FaultKind.DROP_AFTER_SENT, path=OPEN, nbytes=r.randrange(20, 80), count=1), wrong=NOT_PLAYED),
    HomeCase("slow_answer", HIK, lambda r, a: Fault(FaultKind.DELAY, path=OPEN, seconds=r.uniform(0.2, OPEN_TIMEOUT - 1), count=1), due=SUCCESS),
    HomeCase("stop", HIK, lambda r, a: Fault(FaultKind.DELAY, path="/nothing"), stop=True),
    HomeCase("stop_hanging_close", HIK, lambda r, a: Fault(FaultKind.DELAY, path=CLOSE, seconds=r.uniform(1.0, isapi_const.CLOSE_TIMEOUT - 0.5)), stop=True),
    HomeCase("stop_while_not_reading", HIK, lambda r, a: Fault(FaultKind.STOP_READING, path=TALK, nbytes=FRAME_BYTES), stop=True),
    HomeCase("retry_after_late_open", HIK, lambda r, a: Fault(FaultKind.DELAY, path=OPEN, seconds=OPEN_TIMEOUT + r.uniform(0.1, 1.5), count=1), retry=True, due="cannot_connect then success"),
    HomeCase("retry_after_garbage", HIK, lambda r, a: Fault(FaultKind.MALFORMED, path=OPEN, count=1), retry=True, due="device_error then success"),
    HomeCase("retry_after_reset", HIK, lambda r, a: Fault(FaultKind.DROP_AFTER_RECEIVED, path=TALK, nbytes=_moment(r, a)), retry=True, due="cannot_connect then success"),
    HomeCase("axis_retry_after_stop_reading", AXIS, lambda r, a: Fault(FaultKind.STOP_READING, method="POST", path=TRANSMIT, nbytes=_moment(r, a), seconds=4.0), retry=True, due="cannot_connect then success"),
    HomeCase("slow_answers", SLOW, lambda r, a: Fault(FaultKind.DELAY, path="/nothing"), trickle=(0.002, 0.015), wrong=NOT_REFUSED),
    HomeCase("axis_none", AXIS, lambda r, a: Fault(FaultKind.DELAY, path="/nothing"), due=SUCCESS),
    HomeCase("axis_reset", AXIS, lambda r, a: Fault(FaultKind.DROP_AFTER_RECEIVED, method="POST", path=TRANSMIT, nbytes=_moment(r, a)), wrong=NOT_PLAYED),
    HomeCase("axis_stop_reading", AXIS, lambda r, a: Fault(FaultKind.STOP_READING, method="POST", path=TRANSMIT, nbytes=_moment(r, a), seconds=10.0), wrong=NOT_PLAYED),
    HomeCase("axis_reauth_mid_stream", AXIS, lambda r, a: Fault(FaultKind.REAUTH, method="POST", path=TRANSMIT, nbytes=_moment(r, a), count=1), wrong=STALE),
    HomeCase("axis_reauth_every_time", AXIS, lambda r, a: Fault(FaultKind.REAUTH, method="POST", path=TRANSMIT, nbytes=2 * FRAME_BYTES), wrong=STALE),
    HomeCase("axis_no_confirmation", AXIS, lambda r, a: Fault(FaultKind.SILENT_END, method="POST", path=TRANSMIT, seconds=vapix_const.TRANSMIT_ANSWER_MARGIN + 5), wrong=NOT_PLAYED),
    HomeCase("axis_busy_503", AXIS, lambda r, a: Fault(FaultKind.STATUS, method="POST", path=TRANSMIT, status=503), due="channel_busy"),
    HomeCase("axis_slow_answer", AXIS, lambda r, a: Fault(FaultKind.DELAY, method="POST", path=TRANSMIT, seconds=r.uniform(0.2, 3.0), count=1), due=SUCCESS),
    HomeCase("axis_stop", AXIS, lambda r, a: Fault(FaultKind.DELAY, path="/nothing"), stop=True),
    HomeCase("axis_stop_while_not_reading", AXIS, lambda r, a: Fault(FaultKind.STOP_READING, method="POST", path=TRANSMIT, nbytes=FRAME_BYTES, seconds=10.0), stop=True),
    HomeCase("axis_ok_then_close", AXIS, lambda r, a: Fault(FaultKind.DROP_AFTER_SENT, method="POST", path=TRANSMIT, nbytes=r.randrange(10, 40), count=1), wrong=NOT_PLAYED),
)  # fmt: skip
CLEAN_CASES = ("none", "axis_none")


@dataclass(slots=True)
class Rig:
    """Home Assistant with the simulated devices set up, and the media to play.

    Devices by key: HIK (a camera), SLOW (a camera behind a `SlowLink`), AXIS (a speaker).
    """

    hass: HomeAssistant
    cameras: dict[str, HikvisionCamera]
    speaker: AxisSpeaker
    link: SlowLink
    entities: dict[str, str]  # device key -> media_player entity id
    audio_bytes: int

    @property
    def device_ports(self) -> set[int]:
        """Where the devices (and the link) listen."""
        cameras = {camera.port for camera in self.cameras.values()}
        return cameras | {self.speaker.port, self.link.port}

    def faults(self, key: str) -> FaultPlan:
        """The device's fault plan."""
        if key in self.cameras:
            return self.cameras[key].faults
        assert self.speaker.server is not None
        return self.speaker.server.faults

    def _recordings(self, key: str) -> tuple[list[Recording], str]:
        if key in self.cameras:
            return self.cameras[key].recorder.recordings, "talk"
        return self.speaker.recordings, "transmit"

    def heard(self, key: str, since: int) -> int:
        """Audio bytes the device recorded in sessions after the first `since`."""
        recordings, kind = self._recordings(key)
        return sum(len(r.data) for r in recordings[since:] if r.kind == kind)

    def recordings(self, key: str) -> int:
        """How many sessions the device has recorded."""
        return len(self._recordings(key)[0])

    def forget_recordings(self) -> None:
        """Drop the devices' finished recordings (a soak would otherwise count their bytes
        as this process's memory growth)."""
        recorders = [camera.recorder for camera in self.cameras.values()]
        for recorder in [*recorders, self.speaker.recorder]:
            if not any(recording.is_open for recording in recorder.recordings):
                recorder.clear()

    def session_open(self, key: str) -> bool:
        """Whether the device still has a talk session (ISAPI) or a transmission (Axis)."""
        if key in self.cameras:
            return any(
                channel.session is not None for channel in self.cameras[key].channels.values()
            )
        return self.speaker.transmitting


def prepare_media(workdir: str, seconds: float) -> tuple[Path, int]:
    """The media directory with the campaign's WAV; its G.711 size."""
    media = Path(workdir, "media")
    media.mkdir()
    return media, write_tone(media / "campaign.wav", seconds)


def write_tone(path: Path, seconds: float) -> int:
    """A 16-bit 8 kHz mono WAV of a 440 Hz square-ish tone; returns its G.711 size."""
    frames = int(seconds * BYTES_PER_SECOND)
    level = 6000
    samples = bytearray()
    for index in range(frames):
        value = level if (index // 9) % 2 else -level
        samples += value.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(BYTES_PER_SECOND)
        out.writeframes(bytes(samples))
    return frames


def _entry(
    vendor: str, device: HikvisionCamera | AxisSpeaker, port: int, unique_id: str
) -> MockConfigEntry:
    data = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: device.config.username,
        CONF_PASSWORD: device.config.password,
        CONF_VENDOR: vendor,
    }
    return MockConfigEntry(domain=DOMAIN, title=unique_id, unique_id=unique_id, data=data)


def _speaker_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    registry = er.async_get(hass)
    return next(
        item.entity_id
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.domain == MEDIA_PLAYER_DOMAIN
    )


@asynccontextmanager
async def rig(audio_seconds: float) -> AsyncIterator[Rig]:
    """Both devices, Home Assistant with their entries loaded; torn down on exit."""
    camera_config = CameraConfig(password=PASSWORD)
    slow_config = CameraConfig(password=PASSWORD, mac="c0:56:e3:00:00:02", serial=SLOW_SERIAL)
    speaker_config = AxisSpeakerConfig(password=PASSWORD)
    with (
        tempfile.TemporaryDirectory(prefix="talkback-faults-") as workdir,
        # The http integration (a Talkback dependency) must not bind port 8123 here.
        patch("homeassistant.components.http.HomeAssistantHTTP.start"),
    ):
        media, audio_bytes = prepare_media(workdir, audio_seconds)
        async with (
            HikvisionCamera(camera_config) as camera,
            HikvisionCamera(slow_config) as slow,
            SlowLink(slow.port) as link,
            AxisSpeaker(speaker_config) as speaker,
            async_test_home_assistant(config_dir=workdir) as hass,
        ):
            # A session nobody closes must stay visible: the device's own idle close
            # would hide it within the settle time.
            camera.idle_timeout = slow.idle_timeout = 3600
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # load custom_components/talkback
            frame.async_setup(hass)
            hass.config.media_dirs = {"local": str(media)}
            # The voice satellite's conversation needs core's exposed-entities store.
            if not await async_setup_component(hass, "homeassistant", {}):
                raise RuntimeError("Home Assistant's core integration did not set up")
            entries = {
                HIK: _entry(HIK, camera, camera.port, camera_config.mac),
                SLOW: _entry(HIK, slow, link.port, slow_config.mac),
                AXIS: _entry(AXIS, speaker, speaker.port, speaker.mac.lower()),
            }
            for entry in entries.values():
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    raise RuntimeError(f"the {entry.title} entry did not set up")
            await hass.async_block_till_done()
            entities = {key: _speaker_entity(hass, entry) for key, entry in entries.items()}
            cameras = {HIK: camera, SLOW: slow}
            try:
                yield Rig(hass, cameras, speaker, link, entities, audio_bytes)
            finally:
                for entry in entries.values():
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


async def play(hass: HomeAssistant, entity_id: str, bound: float) -> str:
    """play_media as a script step would call it; the outcome's name."""
    return await _call(
        hass,
        SERVICE_PLAY_MEDIA,
        {ATTR_ENTITY_ID: entity_id, ATTR_MEDIA_CONTENT_ID: MEDIA, ATTR_MEDIA_CONTENT_TYPE: "music"},
        bound,
    )


async def play_and_stop(
    hass: HomeAssistant, entity_id: str, bound: float, heard: Callable[[], int], after: float
) -> tuple[str, float]:
    """play_media, and `after` seconds after the device got audio, media_stop.

    Returns the stop's outcome and duration.
    """
    playing = asyncio.create_task(play(hass, entity_id, bound))
    deadline = time.monotonic() + bound
    # The simulator's recorder has no event to wait on: poll it.
    while not heard() and not playing.done() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    await asyncio.sleep(after)
    started = time.monotonic()
    stopped = await _call(hass, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: entity_id}, STOP_BOUND)
    seconds = time.monotonic() - started
    played = await playing
    if stopped != SUCCESS:
        return stopped, seconds
    if played == HANG or played.startswith("untranslated:"):
        return played, seconds
    return f"stopped ({played})", seconds


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any], bound: float) -> str:
    """A blocking media_player action; the outcome's name."""
    try:
        async with asyncio.timeout(bound * 3) as deadline:  # a hang is reported, not waited out
            await hass.services.async_call(MEDIA_PLAYER_DOMAIN, service, data, blocking=True)
    except HomeAssistantError as err:
        return err.translation_key or f"untranslated:{type(err).__name__}"
    except TimeoutError as err:
        if deadline.expired():
            return HANG
        return f"untranslated:{type(err).__name__}"
    except Exception as err:  # noqa: BLE001 - any other escape is what the campaign reports
        return f"untranslated:{type(err).__name__}"
    return SUCCESS


def ffmpeg_children() -> int:
    """ffmpeg processes whose parent is this process (Linux /proc)."""
    me, count = os.getpid(), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        ppid = int(text[text.rfind(")") + 2 :].split()[1])
        count += ppid == me and name.startswith("ffmpeg")
    return count


def sockets(device_ports: set[int], relayed_ports: set[int]) -> dict[str, str]:
    """This process's open sockets (inode link -> TCP state), but the devices' own.

    The simulators and the slow link run in this process: a connection's device end (local
    port = a device's port) and the link's connections to its device are theirs, like their
    tasks. The state is "" for a socket that is not TCP.
    """
    tcp = _tcp_sockets()
    found = {}
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if not target.startswith("socket:"):
            continue
        local, remote, state = tcp.get(target, (0, 0, ""))
        if local not in device_ports and remote not in relayed_ports:
            found[target] = state
    return found


def pooled_sockets(hass: HomeAssistant) -> set[str]:
    """Sockets idle in Home Assistant's shared aiohttp pools (kept alive, not leaked).

    Reads aiohttp's private pool: a diagnostic, so an aiohttp that changed it counts
    pooled sockets as new ones (SOCKET_SLACK then absorbs a few).
    """
    found = set()
    for connector in hass.data.get(DATA_CONNECTOR, {}).values():
        for idle in getattr(connector, "_conns", {}).values():
            for protocol, _ in idle:
                transport = getattr(protocol, "transport", None)
                sock = transport.get_extra_info("socket") if transport else None
                if sock is not None and sock.fileno() >= 0:
                    found.add(f"socket:[{os.fstat(sock.fileno()).st_ino}]")
    return found


def _tcp_sockets() -> dict[str, tuple[int, int, str]]:
    """TCP socket link -> (local port, remote port, state), from /proc/self/net/tcp{,6}."""
    found: dict[str, tuple[int, int, str]] = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = Path("/proc/self/net", table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            found[f"socket:[{fields[9]}]"] = (local, remote, fields[3])
    return found


TCP_CLOSE_WAIT = "08"  # the peer closed; this side never did
SIMULATOR_DIR = str(Path(simulator.__file__).parent)
LINK_FILE = str(Path(__file__).with_name("link.py"))


def _task_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or task.get_name()


def _is_device_task(task: asyncio.Task[Any]) -> bool:
    """A task of the simulators or the link (same process): not Home Assistant's."""
    code = getattr(task.get_coro(), "cr_code", None)
    filename = str(getattr(code, "co_filename", ""))
    return filename.startswith(SIMULATOR_DIR) or filename == LINK_FILE


async def run_episode(setup: Rig, case: HomeCase, rng: random.Random) -> Episode:
    """One play with the case's fault armed; what it ended with and what it left."""
    key = case.device
    entity_id = setup.entities[key]
    setup.forget_recordings()
    since = setup.recordings(key)
    tasks_before = set(asyncio.all_tasks())
    device_ports = setup.device_ports
    relayed = {setup.cameras[SLOW].port}
    sockets_before = sockets(device_ports, relayed)
    fault = case.make(rng, setup.audio_bytes)
    setup.faults(key).add(fault)
    if case.trickle:
        setup.link.delay = rng.uniform(*case.trickle)
    bound = setup.audio_bytes / BYTES_PER_SECOND + PLAY_STEPS
    if case.stop:
        # Stopped by the user: the stop is what is timed, and no audio is owed.
        after = rng.uniform(0.1, 0.6) * setup.audio_bytes / BYTES_PER_SECOND
        outcome, seconds = await play_and_stop(
            setup.hass, entity_id, bound, lambda: setup.heard(key, since), after
        )
        bound, expected = STOP_BOUND, 0
    else:
        started = time.monotonic()
        outcome = await play(setup.hass, entity_id, bound)
        seconds = time.monotonic() - started
        expected = setup.audio_bytes
    setup.faults(key).clear()
    setup.link.delay = 0.0
    if case.retry:
        # The user tries again at once: the fault is gone, the play must be whole.
        since = setup.recordings(key)
        again = await play(setup.hass, entity_id, bound)
        outcome, seconds, bound = f"{outcome} then {again}", time.monotonic() - started, 2 * bound
    # Settle: background closes and ffmpeg's exit may finish after the call, within bounds.
    settle_started = time.monotonic()
    while True:
        await setup.hass.async_block_till_done()
        entity = setup.hass.states.get(entity_id)
        me = asyncio.current_task()
        left = [t for t in asyncio.all_tasks() if not t.done() and t not in tasks_before]
        left = [t for t in left if t is not me and not _is_device_task(t)]
        now = sockets(device_ports, relayed)
        pooled = pooled_sockets(setup.hass)
        known = sockets_before.keys() | pooled
        new_sockets = {link: tcp for link, tcp in now.items() if link not in known}
        episode = Episode(
            case=case.name,
            outcome=outcome,
            seconds=seconds,
            bound=round(bound, 1),
            heard=setup.heard(key, since),
            expected=expected,
            due=case.due,
            wrong=case.wrong,
            tolerance=END_SLACK + (REAUTH_LOSS if fault.kind is FaultKind.REAUTH else 0),
            session_open=setup.session_open(key),
            ffmpeg_left=ffmpeg_children(),
            sockets_left=len(new_sockets),
            half_closed=sum(tcp == TCP_CLOSE_WAIT for tcp in new_sockets.values()),
            tasks_left=[_task_name(task) for task in left],
            entity_state=entity.state if entity else None,
            settle_seconds=time.monotonic() - settle_started,
        )
        if not episode.problems() or episode.settle_seconds >= SETTLE_SECONDS:
            return episode
        await asyncio.sleep(POLL)
