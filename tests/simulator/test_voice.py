"""The camera's microphone (GET audioData), the alert stream and the door station's call."""

from __future__ import annotations

from array import array
import asyncio
import io
import json
import math
from pathlib import Path
import time
import wave

import aiohttp
import pytest

from simulator.core import AudioEncoding
from simulator.core.g711 import decode
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .helpers import (
    PASSWORD,
    TWA,
    USER,
    open_session,
    open_talk_socket,
    put,
    rising_edges,
    running,
    xml_values,
)

SILENT = CameraConfig(username=USER, password=PASSWORD, microphone="silence")
DOOR_STATION = CameraConfig(
    username=USER,
    password=PASSWORD,
    model="DS-KV8213-WME1(C)",
    device_type="VIS",
    microphone="silence",
    heartbeat_seconds=0.3,
    ring_timeout=0.5,
)


def sine_wav(frequency: float, seconds: float, rate: int = 16000) -> bytes:
    """A sine WAV at another rate than the camera's, so the simulator must resample it."""
    samples = array(
        "h",
        (
            round(12000 * math.sin(2 * math.pi * frequency * n / rate))
            for n in range(round(seconds * rate))
        ),
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return out.getvalue()


def voiced(samples: array[int], threshold: int = 1000) -> list[int]:
    """Indexes of the 20 ms frames whose peak exceeds `threshold`."""
    return [
        index // 160
        for index in range(0, len(samples), 160)
        if max(abs(s) for s in samples[index : index + 160]) > threshold
    ]


async def control(
    camera: HikvisionCamera, path: str, **options: object
) -> tuple[int, dict[str, object]]:
    """POST to a control endpoint; the status and the JSON answer."""
    async with (
        aiohttp.ClientSession(base_url=camera.base_url) as session,
        session.post(path, **options) as response,  # type: ignore[arg-type]
    ):
        return response.status, await response.json()


async def listen(http: aiohttp.ClientSession, session_id: str, nbytes: int) -> bytes:
    async with http.get(f"{TWA}/1/audioData", params={"sessionId": session_id}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "audio/basic"
        return await response.content.readexactly(nbytes)


async def test_silent_microphone_sends_silence_and_is_recorded() -> None:
    """Silence is 0xFF in µ-law; what the camera sent is kept as a `listen` recording."""
    async with running(SILENT) as (camera, http):
        session_id = await open_session(http)
        data = await listen(http, session_id, 800)
        await put(http, f"{TWA}/1/close")
        await asyncio.sleep(0.05)
    assert data == b"\xff" * 800
    sent = next(r for r in camera.recorder.recordings if r.kind == "listen")
    assert bytes(sent.data[:800]) == data
    assert sent.session_id == session_id
    assert sent.close_reason in ("client stopped listening", "session ended")


async def test_posted_sound_plays_next_after_its_lead_in() -> None:
    """Raw audio POSTed to the control endpoint is decoded and heard after the lead-in."""
    async with running(SILENT) as (camera, http):
        status, state = await control(
            camera,
            "/simulator/microphone",
            params={"lead_seconds": "0.2"},
            data=sine_wav(440, 0.3),
            headers={"Content-Type": "audio/wav"},
        )
        assert status == 200
        assert state["1"] == {
            "ambient": "silence",
            "queued_clips": 1,
            "queued_seconds": pytest.approx(0.5, abs=0.03),
            "clips_played": 0,
            "frames_sent": 0,
            "waiting_for_speaker": False,
        }
        session_id = await open_session(http)
        data = await listen(http, session_id, 8000)  # one second
    samples = decode(data, AudioEncoding.MULAW)
    frames = voiced(samples)
    # 10 frames (0.2 s) of silence, then 15 frames (0.3 s) of the tone, then silence again.
    assert frames[0] == 10
    assert frames[-1] == pytest.approx(24, abs=1)
    assert rising_edges(samples[1600:4000]) == pytest.approx(132, abs=3)  # 440 Hz for 0.3 s
    assert camera.microphones[1].clips_played == 1


async def test_play_a_file_by_path_on_an_alaw_channel(tmp_path: Path) -> None:
    """JSON `play` names a file; an A-law channel hears it in A-law."""
    path = tmp_path / "visitor.wav"
    path.write_bytes(sine_wav(1000, 0.2, rate=44100))
    config = CameraConfig(
        username=USER,
        password=PASSWORD,
        microphone="silence",
        channels=(ChannelConfig(id=1, codec="G.711alaw"),),
    )
    async with running(config) as (camera, http):
        status, _ = await control(
            camera, "/simulator/microphone", json={"channel": 1, "play": str(path)}
        )
        assert status == 200
        for bad in ({"channel": 9}, {"play": str(tmp_path / "missing.wav")}, [1]):
            status, _ = await control(camera, "/simulator/microphone", json=bad)
            assert status == 400, bad
        status, answer = await control(camera, "/simulator/microphone", data=b"not audio")
        assert status == 400
        assert "ffmpeg" in str(answer["error"])
        session_id = await open_session(http)
        data = await listen(http, session_id, 2400)
    samples = decode(data, AudioEncoding.ALAW)
    assert rising_edges(samples[:1600]) == pytest.approx(200, abs=3)
    assert max(abs(s) for s in samples[1700:]) < 100  # the clip is over: silence


async def test_ambient_file_loops_and_reset_restores(tmp_path: Path) -> None:
    """An ambient sound file plays in a loop; reset brings back the configured ambient."""
    path = tmp_path / "street.wav"
    path.write_bytes(sine_wav(500, 0.1, rate=8000))
    async with running(SILENT) as (camera, http):
        await control(camera, "/simulator/microphone", json={"ambient": str(path)})
        session_id = await open_session(http)
        data = await listen(http, session_id, 4000)
        assert rising_edges(decode(data, AudioEncoding.MULAW)) == pytest.approx(250, abs=5)
        await control(camera, "/simulator/reset")
        assert camera.microphones[1].ambient_name == "silence"


async def test_clip_waits_for_the_speaker_to_finish() -> None:
    """`after_speaker`: the visitor answers once the camera has played what it got and been quiet."""
    async with running(SILENT) as (camera, http):
        status, state = await control(
            camera,
            "/simulator/microphone",
            params={"after_speaker": "0.3"},
            data=sine_wav(600, 0.3),
            headers={"Content-Type": "audio/wav"},
        )
        assert status == 200
        assert state["1"]["waiting_for_speaker"] is True
        session_id = await open_session(http)
        async with http.get(f"{TWA}/1/audioData", params={"sessionId": session_id}) as stream:
            started = time.monotonic()
            heard = await stream.content.readexactly(4000)  # 0.5 s: nobody spoke yet
            talk = await open_talk_socket(camera.port, session_id)
            await talk.send(b"\x10" * 3200)
            spoke = time.monotonic()
            await talk.finish()
            heard += await stream.content.readexactly(20000)
    samples = decode(heard, AudioEncoding.MULAW)
    frames = voiced(samples)
    # The speaker plays the 0.4 s it got from its first byte on; the visitor waits for its end.
    expected = (spoke + 3200 / 8000 + 0.3 - started) / 0.02
    assert frames[0] == pytest.approx(expected, abs=8)
    assert frames[-1] - frames[0] == pytest.approx(14, abs=1)  # the whole 0.3 s clip
    assert camera.microphones[1].speaker_done_at is not None


def parts(buffer: bytes, boundary: str) -> list[tuple[str, bytes]]:
    """(Content-Type, body) of every complete part, parsed independently of the simulator."""
    found = []
    for chunk in buffer.split(f"--{boundary}\r\n".encode())[1:]:
        head, _, rest = chunk.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n") if ": " in line)
        length = int(headers["Content-Length"])
        if len(rest) >= length:
            found.append((headers["Content-Type"], rest[:length]))
    return found


async def test_door_station_rings_on_the_alert_stream_and_call_status() -> None:
    """A press: JSON AccessControllerEvent (5/0x25), callStatus ring, then idle on timeout."""
    async with running(DOOR_STATION) as (camera, http):
        async with http.get("/ISAPI/Event/notification/alertStream") as stream:
            assert stream.status == 200
            assert stream.headers["Content-Type"] == "multipart/mixed; boundary=MIME_boundary"
            _, answer = await control(camera, "/simulator/doorbell")
            assert answer["call_status"] == "ring"
            async with http.get("/ISAPI/VideoIntercom/callStatus?format=json") as response:
                assert await response.json() == {"CallStatus": {"status": "ring"}}
            buffer = b""
            while len(parts(buffer, "MIME_boundary")) < 2:  # the ring, then a heartbeat
                buffer += await asyncio.wait_for(stream.content.readany(), 2)
        (ring_type, ring), (_, beat) = parts(buffer, "MIME_boundary")[:2]
        assert ring_type == "application/json"
        event = json.loads(ring)
        assert event["eventType"] == "AccessControllerEvent"
        assert event["AccessControllerEvent"]["majorEventType"] == 5
        assert event["AccessControllerEvent"]["subEventType"] == 0x25
        assert json.loads(beat)["eventType"] == "videoloss"
        assert json.loads(beat)["eventState"] == "inactive"
        await asyncio.sleep(0.6)  # ring_timeout
        async with http.get("/ISAPI/VideoIntercom/callStatus?format=json") as response:
            assert (await response.json())["CallStatus"]["status"] == "idle"


async def test_call_signal_answers_and_hangs_up() -> None:
    """callSignal answer -> onCall; hangUp -> idle; answering nothing is refused."""
    async with running(DOOR_STATION) as (camera, http):
        signal = "/ISAPI/VideoIntercom/callSignal?format=json"

        async def send(command: str) -> int:
            body = json.dumps({"CallSignal": {"cmdType": command}}).encode()
            status, _ = await put(http, signal, body)
            return status

        assert await send("answer") == 403
        camera.events.press()
        assert await send("answer") == 200
        assert camera.events.call_status == "onCall"
        await asyncio.sleep(0.6)
        assert camera.events.call_status == "onCall"  # an answered call does not time out
        assert await send("hangUp") == 200
        assert camera.events.call_status == "idle"
        assert await send("dance") == 403


async def test_camera_alert_stream_is_xml_and_has_no_doorbell() -> None:
    """Cameras: XML EventNotificationAlert heartbeats, boundary `boundary`, no call button."""
    config = CameraConfig(username=USER, password=PASSWORD, heartbeat_seconds=0.2)
    async with running(config) as (camera, http):
        async with http.get("/ISAPI/Event/notification/alertStream") as stream:
            assert stream.headers["Content-Type"] == "multipart/mixed; boundary=boundary"
            buffer = b""
            while not parts(buffer, "boundary"):
                buffer += await asyncio.wait_for(stream.content.readany(), 2)
        [(content_type, body)] = parts(buffer, "boundary")[:1]
        assert content_type.startswith("application/xml")
        values = xml_values(body)
        assert values["eventType"] == "videoloss"
        assert values["eventState"] == "inactive"
        async with http.get("/ISAPI/VideoIntercom/callStatus") as response:
            assert response.status == 404
        status, _ = await control(camera, "/simulator/doorbell")
        assert status == 400


def test_cli_options_reach_the_camera(tmp_path: Path) -> None:
    """`microphone=`, `heartbeat=`, `ring_timeout=` on the command line."""
    from simulator.core import DeviceSpec
    from simulator.hikvision.cli import camera_config

    spec = DeviceSpec("microphone=silence,heartbeat=2.5,ring_timeout=7,device_type=VIS")
    config = camera_config(spec)
    spec.finish()
    assert (config.microphone, config.heartbeat_seconds, config.ring_timeout) == (
        "silence",
        2.5,
        7.0,
    )
    assert HikvisionCamera(config).events.door_station
