"""The talk socket (PUT audioData) and the listen stream (GET audioData), byte for byte."""

from __future__ import annotations

import asyncio
import io
import time
import wave

import aiohttp
import pytest

from simulator.core.g711 import AudioEncoding, decode, encode, tone
from simulator.hikvision import CameraConfig, ChannelConfig, HikvisionCamera

from .helpers import (
    PASSWORD,
    TWA,
    RawConnection,
    authorized,
    open_session,
    open_talk_socket,
    put,
    rising_edges,
    running,
    send_talk_head,
    talk_target,
    xml_values,
)

# Half a second of a 440 Hz tone; test_core_recorder checks the codec against ITU values.
NOTE = tone(440, 6000, AudioEncoding.MULAW)[:4000]


async def test_talk_socket_records_and_answers_only_after_close(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Raw bytes after Content-Length: 0 are recorded; the answer comes after our FIN."""
    session_id = await open_session(http)
    talk = await open_talk_socket(camera.port, session_id)
    for offset in range(0, len(NOTE), 160):
        await talk.send(NOTE[offset : offset + 160])
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await talk.reader.read(1)  # nothing is answered while the socket is open
    talk.half_close()
    answer = await talk.response()
    assert answer.status == 200
    assert xml_values(answer.body)["statusCode"] == "1"
    assert answer.headers["connection"] == "close"
    assert await talk.at_eof()
    await talk.close()

    recording = camera.recorder.recordings[0]
    assert bytes(recording.data) == NOTE
    assert recording.session_id == session_id
    assert recording.is_open  # the session lasts until close
    await put(http, f"{TWA}/1/close")
    summary = recording.summary()
    assert summary["bytes"] == 4000
    assert summary["audio_seconds"] == pytest.approx(0.5)
    assert summary["close_reason"] == "closed by client"
    assert summary["first_byte_at"] <= summary["last_byte_at"] <= summary["closed_at"]
    assert sum(size for _, size in recording.arrivals) == 4000

    with wave.open(io.BytesIO(recording.wav())) as heard:
        assert (heard.getnchannels(), heard.getsampwidth(), heard.getframerate()) == (1, 2, 8000)
        assert heard.getnframes() == 4000
        samples = heard.readframes(4000)
    assert samples == decode(NOTE, AudioEncoding.MULAW).tobytes()


async def test_talk_socket_ignores_content_length(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Like the cameras, the talk socket reads until EOF even past a declared length."""
    session_id = await open_session(http)
    connection = await open_talk_socket(
        camera.port, session_id, headers={"Content-Length": "10"}, body=b"\xff" * 500
    )
    assert (await connection.finish()).status == 200
    assert len(camera.recorder.recordings[0].data) == 500


async def test_two_uploads_in_one_session_share_a_recording(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """A session is one recording, however many talk sockets it used."""
    session_id = await open_session(http)
    for chunk in (b"\x01" * 100, b"\x02" * 50):
        talk = await open_talk_socket(camera.port, session_id)
        await talk.send(chunk)
        assert (await talk.finish()).status == 200
    assert bytes(camera.recorder.recordings[0].data) == b"\x01" * 100 + b"\x02" * 50
    assert len(camera.recorder.recordings) == 1


async def test_second_talk_socket_is_busy(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Only one talk socket per session."""
    session_id = await open_session(http)
    first = await open_talk_socket(camera.port, session_id)
    await first.send(b"\xff" * 160)
    while not camera.recorder.recordings[0].data:
        await asyncio.sleep(0.01)
    second = await open_talk_socket(camera.port, session_id)
    answer = await second.response()
    assert answer.status == 503
    assert xml_values(answer.body)["subStatusCode"] == "deviceBusy"
    await second.close()
    assert (await first.finish()).status == 200


@pytest.mark.parametrize("session_id", [None, "wrong"])
async def test_talk_socket_session_id_checks(
    http: aiohttp.ClientSession, camera: HikvisionCamera, session_id: str | None
) -> None:
    """A missing or wrong sessionId is refused (ResponseStatus) and the socket closed."""
    await open_session(http)
    connection = await open_talk_socket(camera.port, session_id)
    answer = await connection.response()
    assert answer.status == 403
    assert xml_values(answer.body)["subStatusCode"] == "invalidSessionID"
    assert await connection.at_eof()
    await connection.close()
    assert not camera.recorder.recordings[0].data


async def test_session_id_optional_when_configured() -> None:
    """session_id_required=False accepts a talk socket without sessionId (single channel)."""
    config = CameraConfig(password=PASSWORD, session_id_required=False)
    async with running(config) as (camera, http):
        await open_session(http)
        talk = await open_talk_socket(camera.port, None)
        await talk.send(b"\xff" * 80)
        assert (await talk.finish()).status == 200
        assert len(camera.recorder.recordings[0].data) == 80


async def test_talk_socket_without_open_session(camera: HikvisionCamera) -> None:
    """audioData before open is refused; with a stale (foreign) session too."""
    for stale in (False, True):
        if stale:
            camera.leave_stale_session()
        talk = await open_talk_socket(camera.port, "whatever")
        answer = await talk.response()
        assert answer.status == 403
        assert xml_values(answer.body)["subStatusCode"] == "invalidOperation"
        await talk.close()


async def test_chunked_talk_socket_is_refused(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Cameras do not accept chunked transfer encoding: 400 and the connection closes."""
    session_id = await open_session(http)
    connection = await open_talk_socket(
        camera.port,
        session_id,
        headers={"Transfer-Encoding": "chunked", "Content-Length": None},
        body=b"a0\r\n" + b"\xff" * 160 + b"\r\n0\r\n\r\n",
    )
    answer = await connection.response()
    assert answer.status == 400
    assert xml_values(answer.body)["statusCode"] == "4"
    assert await connection.at_eof()
    await connection.close()
    assert not camera.recorder.recordings[0].data


async def test_idle_timeout_while_streaming_hangs_up(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """A talk socket that stops sending is closed by the camera without an answer."""
    camera.idle_timeout = 0.3
    session_id = await open_session(http)
    talk = await open_talk_socket(camera.port, session_id)
    await talk.send(b"\xff" * 320)
    assert await talk.at_eof()  # the camera closed it: no status line
    await talk.close()
    recording = camera.recorder.recordings[0]
    assert recording.close_reason == "idle timeout"
    assert len(recording.data) == 320
    assert camera.channels[1].session is None


async def test_close_while_streaming_ends_the_talk_socket(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """close on another connection ends the talk socket too."""
    session_id = await open_session(http)
    talk = await open_talk_socket(camera.port, session_id)
    await talk.send(b"\xff" * 160)
    while not camera.recorder.recordings[0].data:
        await asyncio.sleep(0.01)
    await put(http, f"{TWA}/1/close")
    assert await talk.at_eof()
    await talk.close()
    assert camera.recorder.recordings[0].close_reason == "closed by client"


async def test_stale_nonce_on_talk_socket(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """An expired nonce on the talk socket: 401 stale=TRUE and the connection closes."""
    session_id = await open_session(http)
    connection, signer = await authorized(camera.port)
    camera.authenticator.expire_nonces()
    target = talk_target(session_id)
    await send_talk_head(connection, signer, target, body=b"\xff" * 160)
    answer = await connection.response()
    assert answer.status == 401
    assert 'stale="TRUE"' in answer.headers["www-authenticate"]
    assert await connection.at_eof()
    await connection.close()

    signer.use(answer.headers["www-authenticate"])
    retry = await RawConnection.open(camera.port)
    await send_talk_head(retry, signer, target, body=b"\xff" * 160)
    assert (await retry.finish()).status == 200
    assert len(camera.recorder.recordings[0].data) == 160


async def test_listen_stream_is_a_real_time_tone(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """GET audioData: audio/basic, a 1 kHz µ-law tone, no faster than 8000 bytes/s."""
    session_id = await open_session(http)
    started = time.monotonic()
    async with http.get(f"{TWA}/1/audioData", params={"sessionId": session_id}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "audio/basic"
        assert "Content-Length" not in response.headers
        data = await response.content.readexactly(2400)
    elapsed = time.monotonic() - started
    # 2400 bytes are 0.3 s of audio; 15 frames are due only 0.28 s after the first.
    assert elapsed >= 0.28
    samples = decode(data, AudioEncoding.MULAW)
    assert rising_edges(samples) == pytest.approx(300, abs=2)  # 1 kHz for 0.3 s
    assert max(samples) > 7000


async def test_listen_stream_ends_with_the_session(
    http: aiohttp.ClientSession, camera: HikvisionCamera
) -> None:
    """Closing the session ends the stream (the connection closes)."""
    session_id = await open_session(http)
    async with http.get(f"{TWA}/1/audioData", params={"sessionId": session_id}) as response:
        await response.content.readexactly(160)
        await put(http, f"{TWA}/1/close")
        rest = await response.content.read()
    assert len(rest) < 8000


async def test_listen_stream_alaw_and_refusals() -> None:
    """A-law channels stream A-law; AAC channels refuse; no session is refused."""
    config = CameraConfig(
        password=PASSWORD,
        channels=(ChannelConfig(id=1, codec="G.711alaw"), ChannelConfig(id=2, codec="AAC")),
        session_id_required=False,
    )
    async with running(config) as (camera, http):
        async with http.get(f"{TWA}/1/audioData") as response:
            assert response.status == 403
        await open_session(http, 1)
        await open_session(http, 2)
        async with http.get(f"{TWA}/1/audioData") as response:
            data = await response.content.readexactly(160)
        assert data == tone(1000, 8000, AudioEncoding.ALAW)[:160]
        assert data == encode(decode(data, AudioEncoding.ALAW), AudioEncoding.ALAW)
        async with http.get(f"{TWA}/2/audioData") as response:
            assert response.status == 403
            assert xml_values(await response.read())["subStatusCode"] == "notSupport"
        assert camera.recorder.recordings[1].encoding is None  # AAC: kept, not decodable
