"""One episode: a device, a fault at a random moment, one play, and what was left after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
import random
import time
from typing import Any

import aiohttp

from custom_components.talkback.audio import FRAME_BYTES, AudioPacer, G711Codec
from custom_components.talkback.audio.const import DEFAULT_LEAD
from custom_components.talkback.isapi import IsapiClient, IsapiError, IsapiTimeouts
from custom_components.talkback.vapix import VapixClient, VapixError
from custom_components.talkback.vapix.const import TRANSMIT_ANSWER_MARGIN
from simulator.axis import AxisSpeaker, AxisSpeakerConfig
from simulator.core import Fault, FaultKind
from simulator.hikvision import CameraConfig, HikvisionCamera

USER = "admin"
PASSWORD = "campaign-secret"  # noqa: S105 - a simulator's test password
AUDIO_SECONDS = 1.0
# Short client timeouts keep the campaign quick; every bound below derives from them.
ISAPI_TIMEOUTS = IsapiTimeouts(
    request=1.0,
    connect=1.0,
    open=1.0,
    close=1.0,
    talk_write=2.0,
    talk_response=1.0,
    talk_socket_close=1.0,
    receive_head=1.0,
    receive_read=1.0,
    talk_stall=1.0,
)
# The longest a play may take: the audio, the stall bound, the open/close steps, slack.
ISAPI_BOUND = AUDIO_SECONDS + 1.0 + 3 * 1.0 + 2.0 + 2.0
# transmit.cgi: the challenge, a stall, the answer due a margin after playback, slack.
AXIS_BOUND = AUDIO_SECONDS + 3.0 + TRANSMIT_ANSWER_MARGIN + 3.0


@dataclass(frozen=True, slots=True)
class FaultCase:
    """A fault kind of the campaign: which device, and the fault at a random moment."""

    name: str
    vendor: str  # "isapi" or "axis"
    make: Callable[[random.Random], Fault]


def _nbytes(rng: random.Random) -> int:
    return rng.randrange(FRAME_BYTES, int(8000 * AUDIO_SECONDS) - FRAME_BYTES)


CASES = (
    FaultCase("reset", "isapi", lambda r: Fault(FaultKind.DROP_AFTER_RECEIVED, path="*/audioData", nbytes=_nbytes(r))),
    FaultCase("stop_reading", "isapi", lambda r: Fault(FaultKind.STOP_READING, path="*/audioData", nbytes=_nbytes(r))),
    FaultCase("hang_on_open", "isapi", lambda r: Fault(FaultKind.DELAY, path="*/open", seconds=5.0, count=1)),
    FaultCase("late_open", "isapi", lambda r: Fault(FaultKind.DELAY, path="*/open", seconds=r.uniform(1.1, 1.8), count=1)),
    FaultCase("reauth_mid_stream", "isapi", lambda r: Fault(FaultKind.REAUTH, path="*/audioData", nbytes=_nbytes(r), count=1)),
    FaultCase("busy_503", "isapi", lambda r: Fault(FaultKind.STATUS, path="*/open", status=503)),
    FaultCase("refused_403", "isapi", lambda r: Fault(FaultKind.STATUS, path="*/open", status=403, reason="notSupport")),
    FaultCase("close_error_500", "isapi", lambda r: Fault(FaultKind.STATUS, path="*/close", status=500, count=1)),
    FaultCase("close_not_supported", "isapi", lambda r: Fault(FaultKind.STATUS, path="*/close", status=403, reason="notSupport", count=1)),
    FaultCase("hanging_close", "isapi", lambda r: Fault(FaultKind.DELAY, path="*/close", seconds=3.0)),
    FaultCase("garbage_answer", "isapi", lambda r: Fault(FaultKind.MALFORMED, path="*/open", count=1)),
    FaultCase("ok_then_close", "isapi", lambda r: Fault(FaultKind.DROP_AFTER_SENT, path="*/open", nbytes=r.randrange(20, 80), count=1)),
    FaultCase("slow_answer", "isapi", lambda r: Fault(FaultKind.DELAY, path="*/open", seconds=r.uniform(0.1, 0.8), count=1)),
    FaultCase("axis_reset", "axis", lambda r: Fault(FaultKind.DROP_AFTER_RECEIVED, method="POST", path="*/transmit.cgi", nbytes=_nbytes(r))),
    FaultCase("axis_stop_reading", "axis", lambda r: Fault(FaultKind.STOP_READING, method="POST", path="*/transmit.cgi", nbytes=_nbytes(r), seconds=10.0)),
    FaultCase("axis_reauth_mid_stream", "axis", lambda r: Fault(FaultKind.REAUTH, method="POST", path="*/transmit.cgi", nbytes=_nbytes(r), count=1)),
    FaultCase("axis_no_confirmation", "axis", lambda r: Fault(FaultKind.SILENT_END, method="POST", path="*/transmit.cgi", seconds=20.0)),
    FaultCase("axis_busy_503", "axis", lambda r: Fault(FaultKind.STATUS, method="POST", path="*/transmit.cgi", status=503)),
    FaultCase("none", "isapi", lambda r: Fault(FaultKind.DELAY, path="/nothing", seconds=0.0)),
)  # fmt: skip


@dataclass(slots=True)
class Outcome:
    """What one episode ended with."""

    case: str
    outcome: str  # "success" or the error class
    seconds: float
    within_bound: bool
    sent: int = 0
    heard: int = 0
    session_open: bool = False
    tasks_left: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": self.case,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 2),
            "within_bound": self.within_bound,
            "sent": self.sent,
            "heard": self.heard,
            "session_open": self.session_open,
            "tasks_left": self.tasks_left,
            "problems": self.problems,
        }


async def tone() -> AsyncIterator[bytes]:
    """AUDIO_SECONDS of a µ-law pattern, as a decoder would deliver it (unpaced)."""
    for index in range(int(AUDIO_SECONDS / 0.02)):
        yield bytes([(index * 7 + offset) % 256 for offset in range(FRAME_BYTES)])


async def _timed(bound: float, play: Awaitable[int]) -> tuple[str, float, int]:
    started = time.monotonic()
    try:
        async with asyncio.timeout(bound * 3):  # a hang is reported, never waited out
            sent = await play
    except (IsapiError, VapixError) as err:
        return type(err).__name__, time.monotonic() - started, 0
    except TimeoutError:
        return "hang", time.monotonic() - started, 0
    return "success", time.monotonic() - started, sent


async def _play_isapi(client: IsapiClient) -> int:
    async with client.talk("1") as session, AudioPacer(tone(), G711Codec.MULAW) as pacer:
        return await session.send(pacer)


async def _play_axis(client: VapixClient) -> int:
    async with AudioPacer(tone(), G711Codec.MULAW) as pacer:
        return await client.transmit(pacer)


async def run_episode(case: FaultCase, rng: random.Random, http: aiohttp.ClientSession) -> Outcome:
    """One play with the case's fault; the device and the client are fresh."""
    before = {task for task in asyncio.all_tasks() if not task.done()}
    fault = case.make(rng)
    if case.vendor == "isapi":
        async with HikvisionCamera(CameraConfig(username=USER, password=PASSWORD)) as camera:
            camera.faults.add(fault)
            client = IsapiClient(
                http, "127.0.0.1", port=camera.port, username=USER, password=PASSWORD,
                timeouts=ISAPI_TIMEOUTS,
            )  # fmt: skip
            outcome, seconds, sent = await _timed(ISAPI_BOUND, _play_isapi(client))
            await client.close()
            camera.faults.clear()
            # A close the device delays (hanging close) still arrives: give it that long.
            for _ in range(int(fault.seconds / 0.1) + 2):
                if camera.channels[1].session is None:
                    break
                await asyncio.sleep(0.1)
            session_open = camera.channels[1].session is not None
            heard = sum(len(r.data) for r in camera.recorder.recordings if r.kind == "talk")
        bound = ISAPI_BOUND
    else:
        device = AxisSpeaker(AxisSpeakerConfig(username=USER, password=PASSWORD))
        async with device:
            assert device.server is not None
            device.server.faults.add(fault)
            speaker = VapixClient(
                http, "127.0.0.1", port=device.port, username=USER, password=PASSWORD
            )
            outcome, seconds, sent = await _timed(AXIS_BOUND, _play_axis(speaker))
            session_open = device.transmitting
        heard = sum(len(r.data) for r in device.recordings if r.kind == "transmit")
        bound = AXIS_BOUND
    await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if not t.done() and t not in before]
    left = [t for t in left if t is not asyncio.current_task()]
    result = Outcome(
        case.name, outcome, seconds, seconds <= bound, sent, heard, session_open, len(left)
    )
    if not result.within_bound:
        result.problems.append("past its bound")
    # A mid-stream 401 loses what was in flight when the device refused (at most the
    # pacer's lead and a frame); anything else the device did not hear is a false success.
    in_flight = int(DEFAULT_LEAD * 8000) + FRAME_BYTES if fault.kind is FaultKind.REAUTH else 0
    if outcome == "success" and heard < sent - in_flight:
        result.problems.append("false success: the device heard less than was sent")
    if session_open:
        result.problems.append("session left open")
    if left:
        result.problems.append(f"{len(left)} task(s) left")
    return result


def open_descriptors() -> int:
    """File descriptors of this process (Linux)."""
    try:
        return sum(1 for _ in Path("/proc/self/fd").iterdir())
    except OSError:
        return -1
