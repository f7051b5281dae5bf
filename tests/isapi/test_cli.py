"""The command line against the simulated camera: JSON out, exit codes, one-line errors."""

from __future__ import annotations

import asyncio
import io
import json
import math
from pathlib import Path
import socket
import struct
import sys
import wave

import aiohttp
import imageio_ffmpeg
import pytest

from custom_components.talkback.isapi.__main__ import run
from simulator.hikvision import ChannelConfig, HikvisionCamera

from .helpers import PASSWORD, USER, camera_and_client

ROOT = Path(__file__).parent.parent.parent


async def cli(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = await run(list(argv), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def target(camera: HikvisionCamera, password: str = PASSWORD) -> list[str]:
    return [
        "--host", "127.0.0.1", "--port", str(camera.port),
        "--username", USER, "--password", password,
    ]  # fmt: skip


def write_tone(path: Path, seconds: float, rate: int = 16000) -> None:
    """A 440 Hz WAV (not G.711, not 8 kHz: the pipeline converts it)."""
    samples = [
        int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(int(rate * seconds))
    ]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


async def test_probe(camera: HikvisionCamera) -> None:
    """One JSON object: device identity, channels with settings and capabilities."""
    code, out, err = await cli("probe", *target(camera))
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["device"]["serial_number"] == camera.config.serial
    assert result["device"]["mac_address"] == camera.config.mac
    (channel,) = result["channels"]
    assert channel["audio_compression_type"] == "G.711ulaw"
    assert channel["g711_codec"] == "mulaw"
    assert channel["capabilities"]["speaker_volume_max"] == 100


async def test_exit_codes(camera: HikvisionCamera, tmp_path: Path) -> None:
    """2 authentication, 3 unreachable, 4 busy; one line on stderr, never the password."""
    code, out, err = await cli("probe", *target(camera, "wrong-pw-9"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "wrong-pw-9" not in err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    code, _, err = await cli(
        "probe", "--host", "127.0.0.1", "--port", str(closed), "--username", USER, "--password", "x"
    )
    assert code == 3
    assert err.startswith("error: Cannot connect")
    camera.hold(1)
    tone = tmp_path / "tone.wav"
    write_tone(tone, 0.1)
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    code, _, err = await cli("talk", *target(camera), "--ffmpeg", ffmpeg, str(tone))
    assert code == 4
    assert "busy" in err


async def test_talk_refuses_a_codec_it_cannot_send(http: aiohttp.ClientSession) -> None:
    """An AAC channel: exit 4 with the advice to switch to G.711."""
    async with camera_and_client(http, channels=(ChannelConfig(codec="AAC"),)) as (camera, _):
        code, _, err = await cli("talk", *target(camera), "--channel", "1", "x.wav")
    assert code == 4
    assert "switch it to G.711" in err


async def test_talk_plays_a_file(camera: HikvisionCamera, tmp_path: Path) -> None:
    """A 16 kHz WAV is decoded, paced and sent: the camera hears half a second of A-law."""
    camera.channels[1].codec = "G.711alaw"
    tone = tmp_path / "tone.wav"
    write_tone(tone, 0.5)
    code, out, err = await cli(
        "talk",
        *target(camera),
        "--channel",
        "1",
        "--ffmpeg",
        imageio_ffmpeg.get_ffmpeg_exe(),
        str(tone),
    )
    assert (code, err) == (0, "")
    summary = json.loads(out)
    (recording,) = camera.recorder.recordings
    assert summary["bytes_sent"] == len(recording.data) == 4000
    assert summary["session_id"] == recording.session_id
    assert summary["codec"] == "G.711alaw"
    assert recording.codec == "G.711alaw"
    assert not recording.is_open


async def test_talk_unreadable_file(camera: HikvisionCamera, tmp_path: Path) -> None:
    """A file ffmpeg cannot read: exit 1 and one line, the session closed."""
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    code, _, err = await cli(
        "talk", *target(camera), "--ffmpeg", imageio_ffmpeg.get_ffmpeg_exe(), str(bad)
    )
    assert code == 1
    assert err.startswith("error: cannot play")
    assert camera.channels[1].session is None


async def test_python_dash_m_without_traceback() -> None:
    """The real entry point: exit 3 for an unreachable device, one line, no traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "custom_components.talkback.isapi", "probe",
        "--host", "127.0.0.1", "--port", str(closed), "--username", "u",
        cwd=ROOT,
        env={"ISAPI_PASSWORD": "from-env", "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 3
    assert out == b""
    assert err.decode().count("\n") == 1
    assert b"Traceback" not in err
    assert b"from-env" not in err


async def test_missing_password() -> None:
    """No --password and no ISAPI_PASSWORD: exit 1 with what to do."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ISAPI_PASSWORD", raising=False)
        code, _, err = await cli("probe", "--host", "127.0.0.1", "--username", "u")
    assert code == 1
    assert "ISAPI_PASSWORD" in err
