"""`python -m devtools.visitor URL "turn on the porch light"`: a visitor at a simulated door.

Synthesises the sentence offline (eSpeak NG), queues it on the door station's microphone to
be spoken once the station's speaker has greeted (`after_speaker`), then presses the
doorbell, all through the simulator's control endpoints.
"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp

from .speech.synth import EspeakSynthesizer

# The visitor starts talking this long after the greeting ends.
PAUSE_AFTER_GREETING = 0.5


def visitor_wav(sentence: str) -> bytes:
    """The sentence as a WAV file (eSpeak NG's own rate)."""
    return EspeakSynthesizer().synthesize(sentence)


async def visit(session: aiohttp.ClientSession, url: str, sentence: str) -> None:
    """Queue what the visitor will say, then ring."""
    async with session.post(
        f"{url}/simulator/microphone",
        params={"channel": "1", "after_speaker": str(PAUSE_AFTER_GREETING)},
        data=visitor_wav(sentence),
    ) as response:
        response.raise_for_status()
    async with session.post(f"{url}/simulator/doorbell") as response:
        response.raise_for_status()


async def _main(url: str, sentence: str) -> None:
    async with aiohttp.ClientSession() as session:
        await visit(session, url.rstrip("/"), sentence)


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the door station's simulator URL, e.g. http://127.0.0.1:18002")
    parser.add_argument("sentence", nargs="?", default="turn on the porch light")
    args = parser.parse_args()
    asyncio.run(_main(args.url, args.sentence))


if __name__ == "__main__":
    main()
