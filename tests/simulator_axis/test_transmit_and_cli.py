"""transmit.cgi on the simulated devices (raw sockets), and the `--axis` device kind."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import json
from pathlib import Path
import subprocess
import sys

import aiohttp
import pytest

from simulator.__main__ import build_devices, build_parser
from simulator.axis import AxisRelayNetwork, AxisSpeaker, AxisSpeakerServer
from simulator.axis.cli import CLI_LAN
from simulator.kinds import DEVICE_KINDS

from .helpers import FAST, basic, peer, relay, wait_status

ROOT = Path(__file__).parents[2]
READ_LIMIT = 5.0


async def raw_transmit(
    device: AxisSpeaker, chunks: list[bytes], *, head: dict[str, str] | None = None
) -> bytes:
    """POST transmit.cgi by hand: head, raw bytes, half-close, read the whole answer."""
    fields = {"Content-Type": "audio/basic", "Content-Length": "9999999", **basic(), **(head or {})}
    reader, writer = await asyncio.open_connection(device.host, device.port)
    try:
        request = "POST /axis-cgi/audio/transmit.cgi HTTP/1.1\r\nHost: x\r\n"
        request += "".join(f"{name}: {value}\r\n" for name, value in fields.items()) + "\r\n"
        writer.write(request.encode())
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.002)
        writer.write_eof()
        async with asyncio.timeout(READ_LIMIT):
            return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


async def test_recording_with_arrival_times(http: aiohttp.ClientSession) -> None:
    """Every read is kept with its arrival time; the answer comes after playback."""
    async with AxisSpeaker(FAST) as device:
        answer = await raw_transmit(device, [bytes([n]) * 160 for n in range(5)])
        (recording,) = device.recordings
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert bytes(recording.data) == b"".join(bytes([n]) * 160 for n in range(5))
    times = [at for at, _ in recording.arrivals]
    assert times == sorted(times)
    assert sum(size for _, size in recording.arrivals) == 800
    assert recording.closed_at is not None
    assert recording.closed_at >= times[0] + 800 / 8000


async def test_other_audio_format_is_refused() -> None:
    """Only audio/basic is played here: anything else is 415, nothing is recorded."""
    async with AxisSpeaker(FAST) as device:
        answer = await raw_transmit(device, [b"\xff" * 160], head={"Content-Type": "audio/mpeg"})
        assert device.recordings == []
    assert answer.startswith(b"HTTP/1.1 415")


async def test_chunked_body_is_refused() -> None:
    """Axis devices do not understand chunked bodies: 400, nothing is recorded."""
    async with AxisSpeaker(FAST) as device:
        answer = await _chunked(device)
        assert device.recordings == []
    assert answer.startswith(b"HTTP/1.1 400")


async def open_transmit(
    device: AxisSpeaker, framing: str, body: bytes
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Send a transmit.cgi head with the given framing header line, then `body`."""
    reader, writer = await asyncio.open_connection(device.host, device.port)
    head = "".join(f"{k}: {v}\r\n" for k, v in basic().items())
    writer.write(
        b"POST /axis-cgi/audio/transmit.cgi HTTP/1.1\r\nHost: x\r\nContent-Type: audio/basic\r\n"
        + head.encode()
        + framing.encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()
    return reader, writer


async def finish(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """Read the whole answer, then close."""
    async with asyncio.timeout(READ_LIMIT):
        answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return answer


async def _chunked(device: AxisSpeaker) -> bytes:
    body = b"a0\r\n" + b"\xff" * 160 + b"\r\n0\r\n\r\n"
    return await finish(*await open_transmit(device, "Transfer-Encoding: chunked", body))


async def test_busy_while_playing() -> None:
    """A second stream while one plays is answered 503 at once."""
    async with AxisSpeaker(replace(FAST, playback_wait=False)) as device:
        reader, writer = await open_transmit(device, "Content-Length: 9999999", b"\xff" * 160)
        async with asyncio.timeout(READ_LIMIT):
            while not device.transmitting:
                await asyncio.sleep(0.005)
        second = await raw_transmit(device, [b"\x00" * 160])
        writer.write_eof()
        first = await finish(reader, writer)
    assert second.startswith(b"HTTP/1.1 503")
    assert first.startswith(b"HTTP/1.1 200")


async def test_leader_forwards_to_online_followers(http: aiohttp.ClientSession) -> None:
    """Audio played on the leader is recorded on each Online follower, timestamps and all."""
    async with AxisRelayNetwork(3, template=FAST) as network:
        _, answer = await relay(http, network[0], "SetAudioPeerConfigurations", {
            "Configuration": [peer(network[0], leader=True), peer(network[1]), peer(network[2])]})  # fmt: skip
        ids = answer["AudioPeerId"]
        await wait_status(http, network[0], ids[1], "Online")
        await wait_status(http, network[0], ids[2], "Online")
        await network[2].stop()
        await raw_transmit(network[0], [b"\x11" * 160, b"\x22" * 160])
    (played,) = network[0].recordings
    (heard,) = network[1].recordings
    assert network[2].recordings == []
    assert (heard.kind, heard.channel, heard.close_reason) == ("relay", network[0].mac, "played")
    assert heard.arrivals == played.arrivals
    assert bytes(heard.data) == bytes(played.data)


def test_axis_kind_is_registered() -> None:
    """`--axis` builds devices on one shared LAN, with distinct defaults."""
    assert "axis" in {kind.option for kind in DEVICE_KINDS}
    parser = build_parser(DEVICE_KINDS)
    before = len(CLI_LAN.units)
    args = parser.parse_args(
        ["--axis", "relay=none,auth=basic,fault_style=soap", "--axis", "serial=ACCC8E0000AA"]
    )
    devices = build_devices(parser, args, DEVICE_KINDS)
    try:
        first, second = devices
        assert isinstance(first, AxisSpeakerServer)
        assert isinstance(second, AxisSpeakerServer)
        assert first.unit.config.relay_api_version is None
        assert first.unit.config.address != second.unit.config.address
        assert second.unit.serial == "ACCC8E0000AA"
        assert first.unit.lan is second.unit.lan is CLI_LAN
    finally:
        for device in devices:
            assert isinstance(device, AxisSpeakerServer)
            CLI_LAN.leave(device.unit)
    assert len(CLI_LAN.units) == before
    with pytest.raises(SystemExit):
        build_devices(parser, parser.parse_args(["--axis", "volume=3"]), DEVICE_KINDS)


def test_simulator_process_announces_axis_devices() -> None:
    """`python -m simulator --axis ...` prints one JSON line per device and stops on SIGINT."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--axis", "port=0", "--axis", "relay=none"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = [json.loads(process.stdout.readline()) for _ in range(2)]
    finally:
        process.send_signal(2)
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert [line["kind"] for line in lines] == ["axis", "axis"]
    assert [line["relay_api_version"] for line in lines] == ["1.2", None]
    assert lines[0]["address"] != lines[1]["address"]
    assert process.returncode == 0
