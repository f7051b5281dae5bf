"""The offline engines in a real Assist pipeline: camera audio in, Home Assistant acts, reply out.

No satellite yet: the pipeline is fed directly with what a camera microphone sends (8 kHz
µ-law through the converter), as the satellite will. The pipeline's own VAD ends the request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import time

from homeassistant.components import assist_pipeline
from homeassistant.components.assist_pipeline import PipelineEvent, PipelineEventType
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.audio.microphone import MicrophoneConverter
from devtools.speech.synth import EspeakSynthesizer

from .helpers import METADATA, camera_g711

pytestmark = pytest.mark.usefixtures("enable_custom_integrations", "offline_speech_integration")
PORCH = "input_boolean.porch_light"


async def camera_stream(g711: bytes) -> AsyncIterator[bytes]:
    """160-byte frames as the camera sends them, converted as the satellite will."""
    converter = MicrophoneConverter(G711Codec.MULAW)
    for start in range(0, len(g711), 160):
        yield converter.convert(g711[start : start + 160])


async def test_visitor_turns_on_the_porch_light(
    hass: HomeAssistant, synthesizer: EspeakSynthesizer
) -> None:
    """STT (known phrases) -> Home Assistant's agent turns the light on -> eSpeak NG replies."""
    for domain, config in (
        ("homeassistant", {}),
        ("input_boolean", {"input_boolean": {"porch_light": {"name": "Porch light"}}}),
        ("offline_speech", {"offline_speech": None}),
        ("assist_pipeline", {}),
    ):
        assert await async_setup_component(hass, domain, config)
    await hass.async_block_till_done()
    async_expose_entity(hass, "conversation", PORCH, True)
    pipeline = await assist_pipeline.async_create_default_pipeline(
        hass, "stt.known_phrases", "tts.espeak_ng", "Door"
    )
    assert pipeline is not None

    speech = camera_g711(synthesizer, "turn on the porch light", G711Codec.MULAW)
    # Half a second of quiet first, then the request, then two seconds of quiet for the VAD.
    g711 = b"\xff" * 4000 + speech + b"\xff" * 16000
    events: list[PipelineEvent] = []
    started = time.monotonic()
    await assist_pipeline.async_pipeline_from_audio_stream(
        hass,
        context=Context(),
        event_callback=events.append,
        stt_metadata=METADATA,
        stt_stream=camera_stream(g711),
        pipeline_id=pipeline.id,
        start_stage=assist_pipeline.PipelineStage.STT,
        end_stage=assist_pipeline.PipelineStage.TTS,
    )
    elapsed = time.monotonic() - started
    kinds = [event.type for event in events]
    assert PipelineEventType.ERROR not in kinds, events
    [stt_end] = [e for e in events if e.type is PipelineEventType.STT_END]
    assert stt_end.data is not None
    assert stt_end.data["stt_output"]["text"] == "turn on the porch light"
    assert hass.states.get(PORCH).state == "on"
    [intent_end] = [e for e in events if e.type is PipelineEventType.INTENT_END]
    assert intent_end.data is not None
    reply = intent_end.data["intent_output"]["response"]["speech"]["plain"]["speech"]
    assert reply
    [tts_end] = [e for e in events if e.type is PipelineEventType.TTS_END]
    assert tts_end.data is not None
    assert tts_end.data["tts_output"]["media_id"]
    assert elapsed < 10  # the stream is not paced here: this is compute time only


async def test_unknown_request_is_no_text(
    hass: HomeAssistant, synthesizer: EspeakSynthesizer
) -> None:
    """A sentence it does not know ends the pipeline with stt-no-text-recognized."""
    for domain, config in (
        ("homeassistant", {}),
        ("offline_speech", {"offline_speech": None}),
        ("assist_pipeline", {}),
    ):
        assert await async_setup_component(hass, domain, config)
    await hass.async_block_till_done()
    pipeline = await assist_pipeline.async_create_default_pipeline(
        hass, "stt.known_phrases", "tts.espeak_ng", "Door"
    )
    assert pipeline is not None
    speech = camera_g711(synthesizer, "close the garage door", G711Codec.MULAW)
    events: list[PipelineEvent] = []
    await assist_pipeline.async_pipeline_from_audio_stream(
        hass,
        context=Context(),
        event_callback=events.append,
        stt_metadata=METADATA,
        stt_stream=camera_stream(b"\xff" * 4000 + speech + b"\xff" * 16000),
        pipeline_id=pipeline.id,
    )
    [error] = [e for e in events if e.type is PipelineEventType.ERROR]
    assert error.data is not None
    assert error.data["code"] == "stt-no-text-recognized"
