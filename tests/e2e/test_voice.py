"""Voice at the door in a real Home Assistant: ring, the visitor asks, the porch light goes on.

A simulated door station (microphone: silence) is added through the config flow and given
the offline pipeline and the "ring, then talk" automation as `scripts/develop` does. The
visitor's request (eSpeak NG) waits on the station's microphone until the greeting has been
played; the doorbell is pressed at the simulator. Figures go to test-artifacts/e2e/voice.json:
latency from the end of the visitor's speech to the first reply byte at the device, and what
of it is speech-to-text and text-to-speech compute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
import json
import time
from typing import Any

import numpy as np
import pytest
import pytest_socket

from benchmarks.metrics import SAMPLE_RATE, Timeline, correlation
from benchmarks.run import find_ffmpeg, reference_decode
from devtools.instance import TalkbackInstance
from devtools.speech.synth import EspeakSynthesizer
from devtools.visitor import visit
from devtools.voice import PORCH_LIGHT, DoorVoice, offline_pipeline, set_up_door_voice
from simulator.core import AudioEncoding
from simulator.core.g711 import decode

from .harness import ARTIFACTS, instance_loop

pytestmark = pytest.mark.e2e

DOOR_STATION = (
    "device_name=Gate station,model=DS-KV8213-WME1,device_type=VIS,namespace=isapi,"
    "microphone=silence,mac=02:00:00:00:e2:02"
)
REQUEST = "turn on the porch light"
TIMEOUT = 40.0
POLL = 0.05
# A pause in what the station's speaker gets longer than this is the listening between the
# greeting and the reply.
LISTENING_GAP = 1.0
SPEECH_LEVEL = 500  # |sample| above this is the visitor speaking (the ambient is silence)
MAX_DURATION_ERROR = 0.060
MIN_CORRELATION = 0.95


@dataclass
class Door:
    """The running instance with its door station and voice entities."""

    runner: asyncio.Runner
    instance: TalkbackInstance
    voice: DoorVoice
    ffmpeg: str

    @property
    def url(self) -> str:
        """The door station's simulator URL."""
        url: str = self.instance.camera()["url"]
        return url

    def run[T](self, step: Any) -> T:
        """Run an async step on the instance's loop."""
        result: T = self.runner.run(step)
        return result


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    """A door station and `hass`, voice set up as scripts/develop sets it up."""
    pytest_socket.enable_socket()  # PHACC blocked sockets before the first test's fixtures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ffmpeg = find_ffmpeg()
    instance = TalkbackInstance(tmp_path_factory.mktemp("door"), [DOOR_STATION], ffmpeg=ffmpeg)
    with instance_loop(instance, "home-assistant-voice.log") as runner:
        runner.run(instance.start())
        voice = runner.run(set_up_door_voice(instance.rest, instance.camera()["serial"]))
        yield Door(runner, instance, voice, ffmpeg)


async def _json(door: Door, path: str) -> Any:
    async with door.instance.rest.session.get(f"{door.url}{path}") as response:
        response.raise_for_status()
        return await response.json()


async def _bytes(door: Door, path: str) -> bytes:
    async with door.instance.rest.session.get(f"{door.url}{path}") as response:
        response.raise_for_status()
        return await response.read()


async def ring_and_wait(
    door: Door, request: str, light: str
) -> tuple[list[dict[str, Any]], dict[int, bytes]]:
    """Queue the request, ring, wait for the light and for every session to close."""
    api = door.instance.rest
    async with api.session.post(f"{door.url}/simulator/reset") as response:
        response.raise_for_status()
    await visit(api.session, door.url, request)
    try:
        async with asyncio.timeout(TIMEOUT):
            while (await api.state(PORCH_LIGHT))["state"] != light:
                await asyncio.sleep(POLL)
    except TimeoutError as err:
        doorbell = await _json(door, "/simulator/doorbell")
        satellite = await api.state(door.voice.satellite)
        raise AssertionError(f"the light is not {light}: {doorbell}, {satellite}") from err
    async with asyncio.timeout(TIMEOUT):
        while True:
            summaries: list[dict[str, Any]] = await _json(door, "/simulator/recordings")
            kinds = sorted(summary["kind"] for summary in summaries)
            if kinds == ["listen", "talk"] and all(s["closed_at"] for s in summaries):
                break
            await asyncio.sleep(POLL)
    details = [await _json(door, f"/simulator/recordings/{s['index']}") for s in summaries]
    audio = {
        s["index"]: await _bytes(door, f"/simulator/recordings/{s['index']}/audio.raw")
        for s in summaries
    }
    return details, audio


async def last_run_events(door: Door) -> list[dict[str, Any]]:
    """The events of the pipeline's last run (Home Assistant's pipeline debug data)."""
    api = door.instance.rest
    pipeline_id = await offline_pipeline(api)
    runs = await api.websocket_command(
        {"type": "assist_pipeline/pipeline_debug/list", "pipeline_id": pipeline_id}
    )
    run = runs["pipeline_runs"][-1]
    found = await api.websocket_command(
        {
            "type": "assist_pipeline/pipeline_debug/get",
            "pipeline_id": pipeline_id,
            "pipeline_run_id": run["pipeline_run_id"],
        }
    )
    events: list[dict[str, Any]] = found["events"]
    return events


async def reply_audio(door: Door, url: str) -> bytes:
    """The reply's TTS file, as Home Assistant serves it."""
    api = door.instance.rest
    async with api.session.get(f"{api.base_url}{url}") as response:
        response.raise_for_status()
        return await response.read()


def wall(detail: dict[str, Any], monotonic: float) -> float:
    """A simulator time as wall-clock seconds (Home Assistant stamps events on the wall)."""
    return float(detail["opened_wall"]) + monotonic - float(detail["opened_at"])


def at_byte(arrivals: list[tuple[float, int]], offset: int) -> float:
    """When the read holding byte `offset` arrived."""
    received = 0
    for at, size in arrivals:
        received += size
        if received > offset:
            return at
    return arrivals[-1][0]


def event_time(events: list[dict[str, Any]], kind: str) -> float:
    """Wall-clock seconds of the first event of a kind."""
    stamp = next(event["timestamp"] for event in events if event["type"] == kind)
    return datetime.fromisoformat(stamp).timestamp()


def converse(door: Door, request: str, light: str, figures_name: str) -> None:
    """Ring, the visitor asks, the light follows, the reply is heard: check and measure."""
    details, audio = door.run(ring_and_wait(door, request, light))
    events = door.run(last_run_events(door))

    talk = next(detail for detail in details if detail["kind"] == "talk")
    listen = next(detail for detail in details if detail["kind"] == "listen")
    assert talk["session_id"] == listen["session_id"]  # one ISAPI session, both directions
    talk_arrivals = [(float(at), int(size)) for at, size in talk["arrivals"]]
    listen_arrivals = [(float(at), int(size)) for at, size in listen["arrivals"]]

    # The visitor's speech in what the microphone sent: its last loud sample.
    microphone = decode(audio[listen["index"]], AudioEncoding.MULAW)
    loud = np.flatnonzero(np.abs(np.asarray(microphone, dtype=np.float64)) > SPEECH_LEVEL)
    assert len(loud), "the visitor was not heard at all"
    speech_end = at_byte(listen_arrivals, int(loud[-1]))

    # The reply: what the speaker got after the listening pause.
    gaps = [
        index
        for index in range(1, len(talk_arrivals))
        if talk_arrivals[index][0] - talk_arrivals[index - 1][0] > LISTENING_GAP
    ]
    assert gaps, "no pause between greeting and reply"
    first_reply = gaps[-1]
    reply_offset = sum(size for _, size in talk_arrivals[:first_reply])
    reply_arrivals = talk_arrivals[first_reply:]
    reply_bytes = audio[talk["index"]][reply_offset:]
    latency = reply_arrivals[0][0] - speech_end

    intent_end = next(event for event in events if event["type"] == "intent-end")
    reply_text = intent_end["data"]["intent_output"]["response"]["speech"]["plain"]["speech"]
    tts_end = next(event for event in events if event["type"] == "tts-end")
    reply_file = ARTIFACTS / "voice-reply.mp3"
    reply_file.write_bytes(door.run(reply_audio(door, tts_end["data"]["tts_output"]["url"])))
    reference = reference_decode(door.ffmpeg, reply_file)
    heard = np.asarray(decode(reply_bytes, AudioEncoding.MULAW), dtype=np.float64)
    similarity = correlation(heard, reference)
    timeline = Timeline.from_arrivals(reply_arrivals)

    started = time.monotonic()
    EspeakSynthesizer().synthesize(reply_text)
    espeak_seconds = time.monotonic() - started
    stt_seconds = event_time(events, "stt-end") - event_time(events, "stt-vad-end")
    figures = {
        "request": request,
        "reply": reply_text,
        "speech_end_to_first_reply_byte_s": round(latency, 3),
        "vad_end_after_speech_end_s": round(
            event_time(events, "stt-vad-end") - wall(listen, speech_end), 3
        ),
        "stt_compute_s": round(stt_seconds, 3),
        "intent_s": round(event_time(events, "intent-end") - event_time(events, "intent-start"), 3),
        "tts_end_to_first_reply_byte_s": round(
            wall(talk, reply_arrivals[0][0]) - event_time(events, "tts-end"), 3
        ),
        "espeak_synthesis_of_reply_s": round(espeak_seconds, 3),
        "reply_audio_s": round(len(reply_bytes) / SAMPLE_RATE, 3),
        "reply_file_s": round(len(reference) / SAMPLE_RATE, 3),
        "reply_correlation": round(similarity, 4),
        "reply_underruns": timeline.underruns(),
    }
    (ARTIFACTS / figures_name).write_text(json.dumps(figures, indent=2) + "\n")

    assert door.run(door.instance.rest.state(PORCH_LIGHT))["state"] == light
    assert reply_text
    assert abs(len(reply_bytes) - len(reference)) / SAMPLE_RATE <= MAX_DURATION_ERROR
    assert similarity >= MIN_CORRELATION
    assert timeline.underruns() == 0
    assert 0 < latency < 10
    assert door.instance.log_errors("talkback") == []


def test_ring_visitor_asks_porch_light_on_answer_heard(door: Door) -> None:
    """Ring -> greeting -> "turn on the porch light" -> on -> the reply at the station."""
    assert door.run(door.instance.rest.state(PORCH_LIGHT))["state"] == "off"
    converse(door, REQUEST, "on", "voice.json")


def test_aggressive_end_of_speech_answers_sooner(door: Door) -> None:
    """The same with "Finished speaking detection" aggressive: the VAD's wait is most of it."""
    door.run(
        door.instance.rest.call_service(
            "select",
            "select_option",
            {"entity_id": door.voice.vad_sensitivity_select, "option": "aggressive"},
        )
    )
    try:
        converse(door, "turn off the porch light", "off", "voice-aggressive.json")
    finally:
        door.run(
            door.instance.rest.call_service(
                "select",
                "select_option",
                {"entity_id": door.voice.vad_sensitivity_select, "option": "default"},
            )
        )
