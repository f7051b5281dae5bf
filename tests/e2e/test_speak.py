"""A real Home Assistant speaks through Talkback; the simulated camera says what it heard.

Figures (speak round trip, duration error, correlation, underruns, stop latency) go to
test-artifacts/e2e/figures.json.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from benchmarks.metrics import SAMPLE_RATE, Timeline, correlation
from benchmarks.run import reference_decode

from .harness import ARTIFACTS, SPEAKER, STATE_TIMEOUT, TTS_ENGINE, EndToEnd, write_tone

pytestmark = pytest.mark.e2e

MESSAGE = "Someone is at the front door. Please come and open it, the parcel is heavy."
MAX_DURATION_ERROR = 0.060  # seconds, recorded audio against the TTS file
MIN_CORRELATION = 0.95
MAX_STOP_LATENCY = 0.150  # seconds from calling media_stop to the session's end at the camera
LONG_PLAY_SECONDS = 20


def test_tts_speak_plays_the_tts_file(e2e: EndToEnd) -> None:
    """`tts.speak` opens one session, streams the TTS file in real time and closes it."""
    e2e.run(e2e.control.reset())
    started = time.monotonic()
    e2e.run(
        e2e.instance.rest.call_service(
            "tts",
            "speak",
            {"entity_id": TTS_ENGINE, "media_player_entity_id": SPEAKER, "message": MESSAGE},
        )
    )
    round_trip = time.monotonic() - started

    summaries = e2e.run(e2e.summaries())
    assert len(summaries) == 1, summaries
    summary = summaries[0]
    assert summary["closed_at"] is not None
    assert summary["close_reason"] == "closed by client"
    (recording,) = e2e.run(e2e.control.recordings())

    tts_file = ARTIFACTS / "speak.mp3"
    tts_file.write_bytes(e2e.run(e2e.tts_audio(MESSAGE)))
    reference = reference_decode(e2e.ffmpeg, tts_file)
    heard_seconds = len(recording.data) / SAMPLE_RATE
    file_seconds = len(reference) / SAMPLE_RATE
    similarity = correlation(recording.heard, reference)
    timeline = Timeline.from_arrivals(recording.arrivals)
    e2e.record(
        speak_round_trip_s=round(round_trip, 3),
        speak_audio_s=round(heard_seconds, 3),
        speak_duration_error_ms=round((heard_seconds - file_seconds) * 1000, 1),
        speak_correlation=round(similarity, 4),
        speak_underruns=timeline.underruns(),
        speak_max_lag_ms=round(timeline.max_lag_ms, 1),
        speak_max_lead_ms=round(timeline.max_lead_ms, 1),
        speak_drift_pct=round(timeline.drift_pct, 3),
    )

    assert file_seconds > 2, "eSpeak NG made (almost) no audio"
    assert abs(heard_seconds - file_seconds) <= MAX_DURATION_ERROR
    assert similarity >= MIN_CORRELATION
    assert timeline.underruns() == 0
    # The service call returns once the audio has been played, not before.
    assert round_trip >= file_seconds
    assert e2e.run(e2e.wait_for_state(SPEAKER, "idle"))
    assert e2e.talkback_errors() == []


def test_media_stop_ends_a_long_play_quickly(e2e: EndToEnd) -> None:
    """STOP during a 20 s play ends the talk session at the camera within 150 ms."""
    write_tone(e2e.instance.media_dir / "long.wav", LONG_PLAY_SECONDS)

    async def play_then_stop() -> tuple[float, float]:
        await e2e.control.reset()
        async with e2e.playing("long.wav") as play:
            await e2e.wait_for_audio(seconds=1.0)
            stop_called = time.monotonic()
            await e2e.stop_speaker()
            async with asyncio.timeout(STATE_TIMEOUT):
                await play  # the blocked play_media call returns
            return stop_called, time.monotonic() - stop_called

    stop_called, play_returned_after = e2e.run(play_then_stop())
    summaries = e2e.run(e2e.summaries())
    assert len(summaries) == 1, summaries
    summary = summaries[0]
    assert summary["close_reason"] == "closed by client"
    closed_after = summary["closed_at"] - stop_called
    last_byte_after = summary["last_byte_at"] - stop_called
    e2e.record(
        stop_session_closed_ms=round(closed_after * 1000, 1),
        stop_last_byte_ms=round(last_byte_after * 1000, 1),
        stop_play_media_returned_ms=round(play_returned_after * 1000, 1),
        stop_audio_played_s=summary["audio_seconds"],
    )

    assert summary["audio_seconds"] < LONG_PLAY_SECONDS / 2
    assert last_byte_after <= MAX_STOP_LATENCY
    assert closed_after <= MAX_STOP_LATENCY
    assert e2e.run(e2e.wait_for_state(SPEAKER, "idle"))
    assert e2e.talkback_errors() == []
