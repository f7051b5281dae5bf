"""End to end without Home Assistant: the visitor speaks into the simulated camera, the ISAPI
client receives it, the converter makes 16 kHz PCM, the half-duplex gate passes it, and the
recogniser names the sentence."""

from __future__ import annotations

from array import array
from contextlib import aclosing
import sys

import aiohttp
import audioop
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.audio.microphone import (
    HalfDuplexGate,
    MicrophoneConverter,
    pipeline_audio,
)
from custom_components.talkback.isapi.client import IsapiClient
from devtools.speech.phrases import PhraseRecognizer, wav_to_pcm16k
from devtools.speech.synth import EspeakSynthesizer
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

USER, PASSWORD = "admin", "visitor-at-the-door"


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The simulated camera is reached over real 127.0.0.1 sockets."""


CODECS = {G711Codec.MULAW: "G.711ulaw", G711Codec.ALAW: "G.711alaw"}


def visitor(synthesizer: EspeakSynthesizer, text: str) -> array[int]:
    """The visitor's words as the camera's microphone picks them up: 8 kHz samples."""
    pcm = audioop.ratecv(wav_to_pcm16k(synthesizer.synthesize(text)), 2, 1, 16000, 8000, None)
    samples = array("h", pcm[0])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


@pytest.mark.parametrize("codec", list(G711Codec))
async def test_visitor_through_the_camera_is_recognised(
    synthesizer: EspeakSynthesizer, recognizer: PhraseRecognizer, codec: G711Codec
) -> None:
    """ "turn on the porch light" -> camera microphone (G.711) -> receive -> 16 kHz -> text.

    The camera first hears the end of its own prompt while the speaker talks: the gate
    silences it, so only the visitor reaches the recogniser.
    """
    config = CameraConfig(
        username=USER,
        password=PASSWORD,
        device_type="VIS",
        microphone="silence",
        channels=(ChannelConfig(id=1, codec=CODECS[codec]),),
    )
    async with HikvisionCamera(config) as camera, aiohttp.ClientSession() as http:
        microphone = camera.microphones[1]
        echo = visitor(synthesizer, "what time is it")  # the end of the prompt, heard back
        microphone.play(echo)
        speech = visitor(synthesizer, "turn on the porch light")
        microphone.play(speech, lead_seconds=0.8)
        client = IsapiClient(http, "127.0.0.1", port=camera.port, username=USER, password=PASSWORD)
        gate = HalfDuplexGate(tail=0.2)
        await client.open_two_way_audio("1")
        echo_bytes = len(echo) * 4  # at 16 kHz, 16-bit
        gate.speaker_started()  # the prompt is playing
        stopped = False
        heard = bytearray()
        ungated = bytearray()
        total = echo_bytes + round(16000 * 2 * (0.8 + len(speech) / 8000 + 0.8))
        async with aclosing(
            pipeline_audio(client.receive_audio("1"), MicrophoneConverter(codec))
        ) as stream:
            async for pcm in stream:
                ungated += pcm
                heard += gate.filter(pcm)
                if not stopped and len(heard) >= echo_bytes:
                    gate.speaker_stopped()  # the prompt ended; the tail follows
                    stopped = True
                if len(heard) >= total:
                    break
        await client.close_two_way_audio("1")
    assert gate.muted_bytes >= echo_bytes - 4  # the echo never reached the recogniser
    assert recognizer.recognize(bytes(heard)).text == "turn on the porch light"
    # Without the gate, echo and request run together: no sentence.
    assert recognizer.recognize(bytes(ungated)).text is None
    listen = next(r for r in camera.recorder.recordings if r.kind == "listen")
    assert microphone.clips_played == 2
    assert listen.summary()["audio_seconds"] >= len(speech) / 8000
