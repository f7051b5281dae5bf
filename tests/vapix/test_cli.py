"""`python -m custom_components.talkback.vapix` against simulated devices, in a real subprocess."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import socket
import subprocess
import sys

import aiohttp
import imageio_ffmpeg
import pytest

from custom_components.talkback.audio import AudioError
from custom_components.talkback.vapix import (
    RelayNetworkConfiguration,
    RelayPeer,
    VapixClient,
    VapixConnectionError,
)
from custom_components.talkback.vapix.__main__ import (
    RelayRequiredError,
    build_parser,
    exit_code,
    play,
    run,
)
from simulator.axis import AxisRelayNetwork, AxisSpeaker

from .helpers import PASSWORD, USER, single_device

ROOT = Path(__file__).parent.parent.parent
CLI_TIMEOUT = 60.0


async def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the command line to completion while this loop keeps serving the simulator."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "custom_components.talkback.vapix",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(CLI_TIMEOUT):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def target(device: AxisSpeaker, password: str = PASSWORD) -> list[str]:
    """The connection options for a simulated device."""
    return [
        "--host", device.host, "--port", str(device.port),
        "--username", USER, "--password", password,
    ]  # fmt: skip


async def test_probe_prints_everything(network: AxisRelayNetwork) -> None:
    """Device, audio output, relay capabilities, peers, statuses, network and sound."""
    await _configure(network)
    code, out, err = await run_cli("probe", *target(network[0]))
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["device"]["serial_number"] == network[0].serial
    assert report["audio_output"] is True
    relay = report["relay"]
    assert relay["supported"] is True
    assert relay["capabilities"]["master_volume_ranges"][0]["max_value"] == 6
    assert [peer["configuration"]["mac"] for peer in relay["peers"]] == [
        network[0].mac,
        network[1].mac,
    ]
    assert {status["id"] for status in relay["statuses"]} == {"lead", "follow"}
    assert relay["network"]["multicast_group"] == "239.1.1.1"
    assert relay["sound"]["master_volume_unit"] == "dB"
    assert {peer["mac"] for peer in relay["discovered"]} == {network[1].mac, network[2].mac}
    assert "password" not in out
    assert PASSWORD not in out


async def _configure(network: AxisRelayNetwork) -> None:
    async with aiohttp.ClientSession() as session:
        client = VapixClient(
            session, "127.0.0.1", port=network[0].port, username=USER, password=PASSWORD
        )
        await client.set_audio_peer_configurations(
            [
                RelayPeer(id="lead", mac=network[0].mac, leader=True),
                RelayPeer(id="follow", mac=network[1].mac, username=USER, password=PASSWORD),
            ],
            RelayNetworkConfiguration(multicast_enabled=True, multicast_group="239.1.1.1"),
        )


async def test_probe_without_relay_api() -> None:
    """Without the relay API the probe still reports; --require-relay exits with 4."""
    async with single_device(relay_api_version=None) as device:
        code, out, _ = await run_cli("probe", *target(device))
        assert code == 0
        relay = json.loads(out)["relay"]
        assert relay["supported"] is False
        assert "10.12" in relay["reason"]
        code, out, err = await run_cli("probe", "--require-relay", *target(device))
    assert (code, out) == (4, "")
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


async def test_wrong_password_exits_with_2() -> None:
    """Authentication errors: 2, one line, no password."""
    async with single_device() as device:
        code, out, err = await run_cli("probe", *target(device, password="hunter2-wrong"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "hunter2-wrong" not in err


async def test_password_from_the_environment() -> None:
    """VAPIX_PASSWORD instead of --password (which `ps` shows); neither: exit 1, what to do."""
    async with single_device() as device:
        options = ["--host", device.host, "--port", str(device.port), "--username", USER]
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("VAPIX_PASSWORD", PASSWORD)
            code, out, err = await run_cli("probe", *options)
        assert (code, err) == (0, "")
        assert json.loads(out)["device"]["serial_number"] == device.serial
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("VAPIX_PASSWORD", raising=False)
            code, out, err = await run_cli("probe", *options)
    assert (code, out) == (1, "")
    assert "VAPIX_PASSWORD" in err


async def test_unreachable_is_3() -> None:
    """Nothing listening: the connection error maps to 3."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = build_parser().parse_args(
        ["probe", "--host", "127.0.0.1", "--port", str(port), "--username", "u"]
    )
    with pytest.raises(VapixConnectionError) as raised:
        await run(args, "p")
    assert exit_code(raised.value) == 3


async def test_play_a_file(tmp_path: Path) -> None:
    """A 0.3 s WAV is decoded to µ-law and played in real time."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    wav = tmp_path / "tone.wav"
    subprocess.run(
        [ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", "sine=frequency=440:duration=0.3", "-ar", "16000", str(wav)],
        check=True,
    )  # fmt: skip
    async with single_device() as device:
        code, out, err = await run_cli("play", str(wav), "--ffmpeg", ffmpeg, *target(device))
        (recording,) = device.recordings
    assert (code, err) == (0, ""), err
    assert json.loads(out)["bytes_sent"] == len(recording.data)
    assert 0.29 <= len(recording.data) / 8000 <= 0.33


async def test_play_garbage_is_1(tmp_path: Path) -> None:
    """Media ffmpeg cannot read fails before the speaker is opened, mapping to 1."""
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 8)
    async with single_device() as device, aiohttp.ClientSession() as session:
        client = VapixClient(
            session, device.host, port=device.port, username=USER, password=PASSWORD
        )
        with pytest.raises(AudioError) as raised:
            await play(client, str(garbage), imageio_ffmpeg.get_ffmpeg_exe())
        assert device.recordings == []
    assert exit_code(raised.value) == 1


@pytest.mark.parametrize(
    ("error", "code"),
    [(RelayRequiredError("x"), 4), (ValueError("bad host"), 1)],
)
def test_exit_codes(error: Exception, code: int) -> None:
    """The documented mapping of the remaining errors."""
    assert exit_code(error) == code
