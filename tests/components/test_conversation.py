"""The device side of a conversation against the simulated camera: one session, both ways.

The camera's microphone plays its 1 kHz test tone, so what the pipeline would get is easy to
tell apart from the silence the half-duplex gate puts in its place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing

import aiohttp
import audioop
import pytest

from custom_components.talkback.audio.codec import G711Codec
from custom_components.talkback.hikvision import satellite
from custom_components.talkback.hikvision.satellite import Conversation
from custom_components.talkback.isapi.client import IsapiClient
from simulator.hikvision import HikvisionCamera

from .helpers import CAMERA
from .voice import wait_for, wait_until_closed

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def client(camera: HikvisionCamera) -> AsyncIterator[IsapiClient]:
    """A client of the simulated camera."""
    async with aiohttp.ClientSession() as session:
        yield IsapiClient(
            session,
            "127.0.0.1",
            port=camera.port,
            username=CAMERA.username,
            password=CAMERA.password,
        )


async def chunks(conversation: Conversation, count: int) -> list[bytes]:
    """The next `count` chunks the pipeline would get."""
    found = []
    async with aclosing(conversation.heard()) as heard:
        async for pcm in heard:
            found.append(pcm)
            if len(found) == count:
                break
    return found


async def test_the_gate_mutes_what_the_speaker_says(
    client: IsapiClient, camera: HikvisionCamera
) -> None:
    """Tone while listening; silence of the same length while the speaker talks."""
    async with Conversation(client, "1", G711Codec.MULAW) as conversation:
        heard = await chunks(conversation, 5)
        assert all(audioop.rms(pcm, 2) > 1000 for pcm in heard)
        with conversation.gate.speaking():
            conversation.forget_heard()
            muted = await chunks(conversation, 5)
        assert all(pcm == bytes(len(pcm)) for pcm in muted)
        talk, listen = camera.recorder.recordings  # one session: nothing said, listened to
        assert (talk.kind, listen.kind) == ("talk", "listen")
        assert talk.session_id == listen.session_id
        assert not talk.data
        assert camera.channels[1].session is not None
    await wait_until_closed(camera)  # both directions


async def test_unread_audio_is_bounded_and_the_end_is_kept(
    client: IsapiClient, camera: HikvisionCamera, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody reads: the oldest chunks go; when the device ends the stream, the end stays."""
    monkeypatch.setattr(satellite, "MAX_QUEUED_CHUNKS", 3)
    async with Conversation(client, "1", G711Codec.MULAW) as conversation:
        await wait_for(lambda: camera.microphones[1].frames_sent >= 10)
        camera.leave_stale_session(1)  # the device ends the session: the stream ends
        heard = [pcm async for pcm in conversation.heard()]
        assert len(heard) <= 3
        assert [pcm async for pcm in conversation.heard()] == []  # the end is seen again
