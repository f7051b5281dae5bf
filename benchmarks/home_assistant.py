"""Latency inside a running Home Assistant: `tts.speak` to 1 and to 8 simulated speakers.

A throwaway `hass` (devtools.instance) with one simulated camera of 8 talk channels and the
offline TTS engine. Per run: from the service call to the first audio byte at a device, and
how long after the audio's end (at a device playing from the first byte) the call returned.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import tempfile
import time
from typing import Any

from devtools.instance import TalkbackInstance

from .metrics import SAMPLE_RATE, percentile
from .simulated import Camera, Control

CHANNELS = 8
CAMERA_SPEC = f"device_name=Bench,mac=02:00:00:00:be:01,channels={CHANNELS}"
TTS_ENGINE = "tts.espeak_ng"
MESSAGE = "There is a parcel at the front door."
SPEAKER_COUNTS = (1, 8)


async def tts_speak_latency(ffmpeg: str, runs: int, say: Callable[[str], None]) -> dict[str, Any]:
    """p50/p95 of first audio and of the return after the audio, cached and uncached TTS."""
    with tempfile.TemporaryDirectory(prefix="talkback-bench-hass-") as config_dir:
        instance = TalkbackInstance(Path(config_dir), [CAMERA_SPEC], ffmpeg=ffmpeg)
        try:
            await instance.start()
            device = instance.camera()
            camera = Camera(device["name"], device["host"], device["port"], device["url"], CHANNELS)
            control = Control(instance.rest.session, [camera])
            states = await instance.rest.request("GET", "/api/states")
            speakers = sorted(
                state["entity_id"]
                for state in states
                if state["entity_id"].startswith("media_player.")
            )
            if len(speakers) != CHANNELS:
                raise RuntimeError(f"expected {CHANNELS} speakers, Home Assistant has {speakers}")
            doc: dict[str, Any] = {
                "hass_startup_s": round(instance.startup_seconds, 2),
                "message": MESSAGE,
                "runs": runs,
            }
            for count in SPEAKER_COUNTS:
                for cached in (True, False):
                    key = f"{count}_speaker{'s' if count > 1 else ''}_{'cached' if cached else 'uncached'}"
                    say(f"  tts.speak to {count}, {'cached' if cached else 'uncached'} TTS")
                    if cached:  # the first call fills the cache
                        await _speak(instance, control, speakers[:count], cached=True)
                    samples = [
                        await _speak(instance, control, speakers[:count], cached=cached)
                        for _ in range(runs)
                    ]
                    doc[key] = _summary(samples)
                    say(f"    {doc[key]}")
            doc["talkback_errors_logged"] = len(instance.log_errors("talkback"))
            return doc
        finally:
            await instance.stop()


async def _speak(
    instance: TalkbackInstance, control: Control, speakers: list[str], *, cached: bool
) -> dict[str, float]:
    await control.reset()
    called = time.monotonic()
    await instance.rest.call_service(
        "tts",
        "speak",
        {
            "entity_id": TTS_ENGINE,
            "media_player_entity_id": speakers,
            "message": MESSAGE,
            "cache": cached,
        },
    )
    returned = time.monotonic()
    heard = [r for r in await control.recordings() if r.arrivals]
    if len(heard) != len(speakers):
        raise RuntimeError(f"{len(heard)} of {len(speakers)} speakers got audio")
    first = min(r.arrivals[0][0] for r in heard)
    audio_end = max(r.arrivals[0][0] + len(r.data) / SAMPLE_RATE for r in heard)
    return {
        "first_audio_ms": (first - called) * 1000,
        "returned_after_audio_end_ms": (returned - audio_end) * 1000,
        "audio_s": len(heard[0].data) / SAMPLE_RATE,
    }


def _summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    def stats(key: str) -> dict[str, float]:
        values = [sample[key] for sample in samples]
        return {
            "p50": round(percentile(values, 50), 1),
            "p95": round(percentile(values, 95), 1),
            "max": round(max(values), 1),
        }

    return {
        "first_audio_ms": stats("first_audio_ms"),
        "returned_after_audio_end_ms": stats("returned_after_audio_end_ms"),
        "audio_s": round(samples[0]["audio_s"], 3),
    }
