"""Command line: probe an Axis device, or play a file on it.

    python -m custom_components.talkback.vapix probe --host H [--port P] [--ssl]
        --username U [--require-relay]   (password: $VAPIX_PASSWORD, else asked)
    python -m custom_components.talkback.vapix play FILE --host H ... [--ffmpeg PATH]

Exit codes: 0 done, 2 authentication, 3 unreachable or timeout, 4 relay API missing or too
old (only where relay data was needed), 1 anything else; one line on stderr, no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import dataclasses
import json
import sys
from typing import Any

import aiohttp

from ..audio import AudioError, AudioPacer, AudioSource, G711Codec
from ..rawhttp import password_from
from .client import VapixClient
from .const import AUDIO_SAMPLE_RATE
from .exceptions import (
    VapixAuthenticationError,
    VapixConnectionError,
    VapixError,
    VapixNotSupportedError,
)
from .models import AxisDeviceInfo

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_AUTHENTICATION = 2
EXIT_UNREACHABLE = 3
EXIT_NO_RELAY = 4
PASSWORD_VARIABLE = "VAPIX_PASSWORD"  # noqa: S105 - the name of the variable, not a password


class RelayRequiredError(VapixNotSupportedError):
    """The relay API is missing and the command needs its data."""


def build_parser() -> argparse.ArgumentParser:
    """`probe` and `play` with the connection options."""
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.talkback.vapix",
        description="Probe an Axis device or play audio on it.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    probe = commands.add_parser("probe", help="print device, audio output and relay data as JSON")
    probe.add_argument(
        "--require-relay",
        action="store_true",
        help="exit with 4 when the relay API is missing or older than 1.2",
    )
    play = commands.add_parser("play", help="play an audio file (anything ffmpeg reads)")
    play.add_argument("file", help="path or URL of the audio")
    play.add_argument("--ffmpeg", default="ffmpeg", help="ffmpeg binary (default: ffmpeg)")
    for command in (probe, play):
        command.add_argument("--host", required=True, help="address or name (IPv6 literal ok)")
        command.add_argument("--port", type=int, help="default 80, or 443 with --ssl")
        command.add_argument("--ssl", action="store_true", help="use https")
        command.add_argument(
            "--insecure", action="store_true", help="with --ssl: do not verify the certificate"
        )
        command.add_argument("--username", required=True)
        command.add_argument(
            "--password",
            help=f"password (visible to other users in ps: prefer ${PASSWORD_VARIABLE} or the prompt)",
        )
    return parser


def _jsonable(value: Any) -> Any:
    """Models as JSON; a `password` field never leaves the process."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.name != "password"
        }
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


async def probe(client: VapixClient, *, require_relay: bool) -> dict[str, Any]:
    """Everything the device tells about itself and its relay network."""
    info = await client.device_info()
    report: dict[str, Any] = {
        "device": _jsonable(info),
        "audio_output": info.has_audio_output,
        "relay": await _relay_report(client, info, require_relay=require_relay),
    }
    return report


async def _relay_report(
    client: VapixClient, info: AxisDeviceInfo, *, require_relay: bool
) -> dict[str, Any]:
    if not info.relay_api_supported:
        try:
            await client.get_audio_peers()  # raises the client's own explanation
        except VapixNotSupportedError as err:
            if require_relay:
                raise RelayRequiredError(str(err)) from err
            return {"api_version": info.relay_api_version, "supported": False, "reason": str(err)}
    network = await client.get_audio_peers()
    return {
        "api_version": info.relay_api_version,
        "supported": True,
        "capabilities": _jsonable(await client.get_service_capabilities()),
        "peers": _jsonable(network.peers),
        "statuses": _jsonable(await client.get_audio_peer_status()),
        "network": _jsonable(network.configuration),
        "sound": _jsonable(await client.get_sound_configuration()),
        "discovered": _jsonable(await client.get_discovered_audio_peers()),
    }


async def play(client: VapixClient, media: str, ffmpeg: str) -> dict[str, Any]:
    """Decode a file to 8 kHz µ-law and play it in real time."""
    async with (
        AudioSource(media, G711Codec.MULAW, ffmpeg_binary=ffmpeg) as source,
        AudioPacer(source.frames(), G711Codec.MULAW) as pacer,
    ):
        sent = await client.transmit(pacer)
    return {"bytes_sent": sent, "seconds": sent / AUDIO_SAMPLE_RATE}


async def run(args: argparse.Namespace, password: str) -> dict[str, Any]:
    """Run one command with a fresh session."""
    async with aiohttp.ClientSession() as session:
        client = VapixClient(
            session,
            args.host,
            username=args.username,
            password=password,
            port=args.port,
            use_ssl=args.ssl,
            ssl_context=False if args.insecure else None,
        )
        if args.command == "probe":
            return await probe(client, require_relay=args.require_relay)
        return await play(client, args.file, args.ffmpeg)


def exit_code(error: Exception) -> int:
    """The documented exit code of an error."""
    if isinstance(error, VapixAuthenticationError):
        return EXIT_AUTHENTICATION
    if isinstance(error, VapixConnectionError):
        return EXIT_UNREACHABLE
    if isinstance(error, RelayRequiredError):
        return EXIT_NO_RELAY
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    password = password_from(args.password, PASSWORD_VARIABLE)
    if password is None:
        print(
            f"error: set {PASSWORD_VARIABLE}, run on a terminal, or give --password",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        result = asyncio.run(run(args, password))
    except (VapixError, AudioError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    except KeyboardInterrupt:
        return 130
    print(json.dumps(result, indent=2))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
