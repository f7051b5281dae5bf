"""Raw-socket client pieces for the simulator tests, written without the simulator's code."""

from __future__ import annotations

from array import array
import asyncio
from collections.abc import AsyncIterator
import contextlib
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import hashlib
import itertools
import re
import secrets
from xml.etree import ElementTree as ET

import aiohttp

from simulator.hikvision import CameraConfig, HikvisionCamera

USER = "admin"
PASSWORD = "s3cret-Pa55"
TWA = "/ISAPI/System/TwoWayAudio/channels"
READ_TIMEOUT = 5.0


def local(tag: str) -> str:
    """Element name without namespace."""
    return tag.rpartition("}")[2]


def xml_values(body: bytes) -> dict[str, str]:
    """Local name -> text of every element in a document (last one wins)."""
    return {local(node.tag): (node.text or "").strip() for node in ET.fromstring(body).iter()}


def rising_edges(samples: array[int]) -> int:
    """How many times a signal crosses zero upwards: its cycles."""
    return sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)


def challenge_params(header: str) -> dict[str, str]:
    """Parameters of a WWW-Authenticate Digest challenge."""
    return dict(re.findall(r'(\w+)="?([^",]*)"?', header))


@dataclass
class DigestSigner:
    """Computes Digest Authorization headers from a challenge (RFC 7616, qop=auth)."""

    username: str = USER
    password: str = PASSWORD
    nc: int = 0
    params: dict[str, str] = field(default_factory=dict)

    def use(self, challenge: str) -> None:
        """Take the nonce (and realm, opaque, algorithm) of a challenge."""
        self.params = challenge_params(challenge)
        self.nc = 0

    def sign(self, method: str, uri: str, *, nc: int | None = None) -> str:
        """The Authorization value for one request."""
        algorithm = self.params.get("algorithm", "MD5")
        digest = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algorithm.removesuffix("-sess")]

        def h(text: str) -> str:
            return digest(text.encode()).hexdigest()

        self.nc = self.nc + 1 if nc is None else nc
        cnonce = secrets.token_hex(8)
        realm, nonce = self.params["realm"], self.params["nonce"]
        ha1 = h(f"{self.username}:{realm}:{self.password}")
        if algorithm.endswith("-sess"):  # RFC 7616 3.4.2
            ha1 = h(f"{ha1}:{nonce}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        count = f"{self.nc:08x}"
        response = h(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
        parts = [
            f'username="{self.username}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
            f'response="{response}"',
            "qop=auth",
            f"nc={count}",
            f'cnonce="{cnonce}"',
            f'opaque="{self.params.get("opaque", "")}"',
        ]
        if algorithm != "MD5":
            parts.append(f"algorithm={algorithm}")
        return "Digest " + ", ".join(parts)


@dataclass
class RawResponse:
    """A response as read off the socket."""

    status: int
    headers: dict[str, str]
    body: bytes


class RawConnection:
    """One TCP connection written and read byte for byte."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> RawConnection:
        """Connect to a loopback port."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        """Write bytes."""
        self.writer.write(data)
        await self.writer.drain()

    async def request(
        self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        """Write a request head (and body); Content-Length is the caller's business."""
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def half_close(self) -> None:
        """Tell the server we are done writing (TCP FIN)."""
        self.writer.write_eof()

    async def response(self) -> RawResponse:
        """Read one response: by Content-Length, or to EOF without one."""
        async with asyncio.timeout(READ_TIMEOUT):
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ")[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            else:
                body = await self.reader.read()
        return RawResponse(status, headers, body)

    async def finish(self) -> RawResponse:
        """Half-close, read the answer, close: the end of a talk socket."""
        self.half_close()
        answer = await self.response()
        await self.close()
        return answer

    async def at_eof(self) -> bool:
        """True when the server has closed (reads return nothing, or the socket is reset)."""
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                return await self.reader.read() == b""
        except ConnectionResetError:
            return True

    async def close(self) -> None:
        """Close our side."""
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


async def authorized(
    port: int, signer: DigestSigner | None = None
) -> tuple[RawConnection, DigestSigner]:
    """A connection whose signer holds a fresh nonce (from a 401 on the same connection)."""
    signer = signer or DigestSigner()
    connection = await RawConnection.open(port)
    await connection.request("GET", "/ISAPI/System/deviceInfo")
    challenge = await connection.response()
    assert challenge.status == 401
    signer.use(challenge.headers["www-authenticate"])
    return connection, signer


def talk_target(session_id: str | None, channel: int = 1) -> str:
    """The talk socket's request-target, with sessionId when given."""
    target = f"{TWA}/{channel}/audioData"
    return target if session_id is None else f"{target}?sessionId={session_id}"


async def send_talk_head(
    connection: RawConnection,
    signer: DigestSigner,
    target: str,
    headers: dict[str, str | None] | None = None,
    body: bytes = b"",
) -> None:
    """PUT audioData with Content-Length: 0 on a keep-alive connection, as clients do.

    `headers` override the defaults; a None value removes one.
    """
    fields: dict[str, str | None] = {
        "Authorization": signer.sign("PUT", target),
        "Content-Type": "application/octet-stream",
        "Content-Length": "0",
        "Connection": "keep-alive",
        **(headers or {}),
    }
    sent = {name: value for name, value in fields.items() if value is not None}
    await connection.request("PUT", target, sent, body)


async def open_talk_socket(
    port: int,
    session_id: str | None,
    channel: int = 1,
    *,
    headers: dict[str, str | None] | None = None,
    body: bytes = b"",
) -> RawConnection:
    """A new authorized connection that has sent the talk socket's head."""
    connection, signer = await authorized(port)
    await send_talk_head(connection, signer, talk_target(session_id, channel), headers, body)
    return connection


def digest_session(camera: HikvisionCamera) -> aiohttp.ClientSession:
    """aiohttp with its own Digest implementation, pointed at a camera."""
    return aiohttp.ClientSession(
        base_url=camera.base_url,
        middlewares=(aiohttp.DigestAuthMiddleware(USER, PASSWORD),),
    )


@asynccontextmanager
async def running(
    config: CameraConfig,
) -> AsyncIterator[tuple[HikvisionCamera, aiohttp.ClientSession]]:
    """A camera with this configuration and a Digest client for it."""
    async with HikvisionCamera(config) as camera, digest_session(camera) as http:
        yield camera, http


async def get_xml(http: aiohttp.ClientSession, path: str) -> tuple[int, bytes]:
    """GET an XML document: the status and the body."""
    async with http.get(path) as response:
        assert response.headers["Content-Type"] == "application/xml"
        return response.status, await response.read()


async def put(http: aiohttp.ClientSession, path: str, body: bytes = b"") -> tuple[int, bytes]:
    """PUT a body: the status and the answer."""
    async with http.put(path, data=body) as response:
        return response.status, await response.read()


async def open_session(http: aiohttp.ClientSession, channel: int = 1) -> str:
    """Open a talk session on a channel; its id."""
    status, body = await put(http, f"{TWA}/{channel}/open")
    assert status == 200, body
    return xml_values(body)["sessionId"]


def channel_xml(channel: int = 1, **values: object) -> bytes:
    """A TwoWayAudioChannel document with the given fields."""
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in values.items())
    return f"<TwoWayAudioChannel><id>{channel}</id>{fields}</TwoWayAudioChannel>".encode()
