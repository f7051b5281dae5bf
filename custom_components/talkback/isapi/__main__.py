"""Command line: probe a device, or play an audio file through a talk session.

    python -m custom_components.talkback.isapi probe --host H [--port P] [--ssl] [--insecure]
        --username U   (password: $ISAPI_PASSWORD, else asked on the terminal)
    python -m custom_components.talkback.isapi talk --host H ... --channel N FILE

`probe` prints one JSON object (device, channels with their settings and capabilities);
`talk` decodes and paces FILE with the audio pipeline and prints a JSON summary. Exit codes:
0 done, 2 authentication, 3 unreachable or timed out, 4 not supported or busy, 1 anything
else; failures print one line on stderr. `--password W` works too, but shows in `ps`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
import json
import sys
import time
from typing import Any, TextIO

import aiohttp

from ..rawhttp import password_from
from .client import IsapiClient
from .exceptions import (
    IsapiAuthenticationError,
    IsapiBusyError,
    IsapiConnectionError,
    IsapiError,
    IsapiNotSupportedError,
)
from .models import TwoWayAudioChannel

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_AUTHENTICATION = 2
EXIT_UNREACHABLE = 3
EXIT_UNSUPPORTED = 4
PASSWORD_VARIABLE = "ISAPI_PASSWORD"  # noqa: S105 - the name of the variable, not a password


class CommandError(Exception):
    """A failure with its exit code and the one line to print."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", required=True, help="address or host name (IPv6 allowed)")
    common.add_argument("--port", type=int, help="port (default 80, or 443 with --ssl)")
    common.add_argument("--ssl", action="store_true", help="use https")
    common.add_argument("--insecure", action="store_true", help="accept a self-signed certificate")
    common.add_argument("--username", required=True)
    common.add_argument(
        "--password",
        help=f"password (visible to other users in ps: prefer ${PASSWORD_VARIABLE} or the prompt)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.talkback.isapi",
        description="Hikvision ISAPI two-way audio: probe a device or talk through it.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("probe", parents=[common], help="print device, channels, capabilities")
    talk = commands.add_parser("talk", parents=[common], help="play an audio file")
    talk.add_argument("--channel", default="1", help="two-way audio channel id (default 1)")
    talk.add_argument("--ffmpeg", default="ffmpeg", help="ffmpeg binary (default: ffmpeg)")
    talk.add_argument("file", help="any audio file or URL ffmpeg reads")
    return parser


def _channel_json(channel: TwoWayAudioChannel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "enabled": channel.enabled,
        "audio_compression_type": channel.audio_compression_type,
        "g711_codec": channel.g711_codec,
        "audio_input_type": channel.audio_input_type,
        "speaker_volume": channel.speaker_volume,
        "microphone_volume": channel.microphone_volume,
        "noise_reduction": channel.noise_reduction,
    }


async def probe(client: IsapiClient) -> dict[str, Any]:
    """Device identity, every channel's settings and capabilities."""
    device = await client.device_info()
    channels = []
    for channel in await client.two_way_audio_channels():
        try:
            capabilities: dict[str, Any] | None = asdict(
                await client.two_way_audio_capabilities(channel.id)
            )
        except IsapiNotSupportedError:
            capabilities = None
        channels.append({**_channel_json(channel), "capabilities": capabilities})
    return {"device": asdict(device), "channels": channels}


async def talk(client: IsapiClient, channel_id: str, media: str, ffmpeg: str) -> dict[str, Any]:
    """Play a file in real time through one talk session; return a summary."""
    # The audio pipeline is only needed here; the library itself does not depend on it.
    from ..audio import AudioError, AudioSource, G711Codec, stream_to  # noqa: PLC0415

    channel = await client.two_way_audio_channel(channel_id)
    if channel.g711_codec is None:
        raise CommandError(
            EXIT_UNSUPPORTED,
            f"channel {channel_id} is set to {channel.audio_compression_type or 'no codec'}, "
            "which cannot be sent; switch it to G.711ulaw or G.711alaw",
        )
    codec = G711Codec(channel.g711_codec)
    started = time.monotonic()
    try:
        async with (
            AudioSource(media, codec, ffmpeg_binary=ffmpeg) as source,
            client.talk(channel_id) as session,
        ):
            stats = await stream_to(source.frames(), session.send, codec)
    except AudioError as err:
        raise CommandError(EXIT_ERROR, f"cannot play {media}: {err}") from err
    return {
        "channel": channel_id,
        "session_id": session.session_id,
        "codec": channel.audio_compression_type,
        "bytes_sent": session.bytes_sent,
        "seconds": round(time.monotonic() - started, 3),
        "audio_seconds": session.bytes_sent / 8000,
        "frames": stats.frames_sent,
        "silence_frames": stats.silence_frames,
        "late_frames": stats.late_frames,
    }


def _exit_code(err: IsapiError) -> int:
    if isinstance(err, IsapiAuthenticationError):
        return EXIT_AUTHENTICATION
    if isinstance(err, IsapiConnectionError):
        return EXIT_UNREACHABLE
    if isinstance(err, (IsapiNotSupportedError, IsapiBusyError)):
        return EXIT_UNSUPPORTED
    return EXIT_ERROR


async def run(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """Run one command; return the exit code."""
    args = _parser().parse_args(argv)
    password = password_from(args.password, PASSWORD_VARIABLE)
    if password is None:
        print(f"error: set {PASSWORD_VARIABLE}, run on a terminal, or give --password", file=stderr)
        return EXIT_ERROR
    try:
        async with aiohttp.ClientSession() as session:
            client = IsapiClient(
                session,
                args.host,
                username=args.username,
                password=password,
                port=args.port,
                use_ssl=args.ssl,
                ssl_context=False if args.insecure else None,
            )
            if args.command == "probe":
                result = await probe(client)
            else:
                result = await talk(client, args.channel, args.file, args.ffmpeg)
    except CommandError as err:
        print(f"error: {err}", file=stderr)
        return err.code
    except IsapiError as err:
        print(f"error: {err}", file=stderr)
        return _exit_code(err)
    print(json.dumps(result, indent=2), file=stdout)
    return EXIT_OK


def main() -> int:
    """Entry point of `python -m`."""
    try:
        return asyncio.run(run(sys.argv[1:], sys.stdout, sys.stderr))
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - one line, never a traceback
        print(f"error: unexpected {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
