"""The device side of a voice conversation on a Hikvision talk channel.

One ISAPI two-way audio session carries both directions: replies go out on the talk socket
(`talk.send`, once per reply) while the microphone comes in on `GET .../audioData` with the
same session id. `Conversation` keeps both open for one conversation, converts what the
microphone hears to the pipeline's 16 kHz PCM and mutes it while the speaker talks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, aclosing
from typing import Self, cast

from ..audio.codec import G711Codec
from ..audio.microphone import HalfDuplexGate, MicrophoneConverter
from ..const import LOGGER
from ..isapi.client import IsapiClient
from ..isapi.exceptions import IsapiError
from ..isapi.talk import TalkSession

# Microphone chunks kept for the pipeline while it is not reading (between two turns): ~4 s.
MAX_QUEUED_CHUNKS = 200


class Conversation:
    """Talk and listen on one session: `async with Conversation(client, channel_id, codec)`."""

    def __init__(
        self, client: IsapiClient, channel_id: str, codec: G711Codec, *, listen: bool = True
    ) -> None:
        """Prepare the session; `listen=False` only talks (an announcement)."""
        self._listening = listen
        self._client = client
        self._channel_id = channel_id
        self._converter = MicrophoneConverter(codec)
        self.gate = HalfDuplexGate()
        self._heard: asyncio.Queue[bytes | None] = asyncio.Queue(MAX_QUEUED_CHUNKS)
        self._stack = AsyncExitStack()
        self.talk: TalkSession = client.talk(channel_id)
        self.error: IsapiError | None = None
        """Why the microphone stopped, when it failed."""

    async def __aenter__(self) -> Self:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self.talk)
            if self._listening:
                task = asyncio.create_task(self._listen())
                stack.push_async_callback(self._stop_listening, task)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    async def _stop_listening(self, task: asyncio.Task[None]) -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def _listen(self) -> None:
        """Receive the microphone for as long as the session lasts; keep what the gate lets in."""
        # An async generator, typed as an iterator by the client.
        microphone = cast(
            "AsyncGenerator[bytes]",
            self._client.receive_audio(self._channel_id, self.talk.session_id),
        )
        try:
            async with aclosing(microphone) as chunks:
                async for chunk in chunks:
                    self._keep(self.gate.filter(self._converter.convert(chunk)))
        except IsapiError as err:
            self.error = err
            LOGGER.debug("Microphone of channel %s stopped: %s", self._channel_id, err)
        self._keep(None)

    def _keep(self, pcm: bytes | None) -> None:
        if self._heard.full():
            self._heard.get_nowait()  # nobody listens now: keep the latest
        self._heard.put_nowait(pcm)

    def forget_heard(self) -> None:
        """Drop what was heard before now (a new turn starts)."""
        while not self._heard.empty():
            if self._heard.get_nowait() is None:
                self._heard.put_nowait(None)  # the end stays
                return

    async def heard(self) -> AsyncGenerator[bytes]:
        """The microphone as the pipeline's PCM, until the pipeline stops reading or it ends."""
        while (pcm := await self._heard.get()) is not None:
            yield pcm
        self._heard.put_nowait(None)  # the next turn sees the end too
