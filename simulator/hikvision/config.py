"""Configuration of a simulated Hikvision camera, door station or NVR."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import hashlib

from simulator.core import AudioEncoding, AuthPolicy, AuthScheme, DigestAlgorithm
from simulator.core.const import NONCE_LIFETIME

from .const import DEFAULT_IDLE_TIMEOUT

CODEC_ENCODINGS = {"G.711ulaw": AudioEncoding.MULAW, "G.711alaw": AudioEncoding.ALAW}
CODEC_OPTIONS = ("G.711ulaw", "G.711alaw", "G.726", "AAC")
INPUT_TYPE_OPTIONS = ("MicIn", "LineIn")


class NamespaceVariant(StrEnum):
    """The XML namespaces seen on real devices (see real-devices/hikvision/)."""

    HIKVISION = "hikvision"  # http://www.hikvision.com/ver20/XMLSchema, most cameras
    ISAPI = "isapi"  # http://www.isapi.org/ver20/XMLSchema, door stations, newer NVRs
    STD_CGI = "std-cgi"  # http://www.std-cgi.com/ver20/XMLSchema, OEM NVRs
    PSIA = "psia"  # urn:psialliance-org, older NVRs and doorbells
    NONE = "none"  # no namespace at all


class SessionIdStyle(StrEnum):
    """How `open` makes session ids (clients must treat them as opaque text)."""

    ALNUM32 = "alnum32"  # 32 lowercase letters and digits (DS-KV8113)
    DIGITS = "digits"  # a decimal number (the ISAPI guide's example)


class RequestUrlStyle(StrEnum):
    """What ResponseStatus carries in `requestURL` (real devices differ)."""

    PATH = "path"  # the request path
    EMPTY = "empty"  # <requestURL></requestURL> (DS-2CD2386G2-ISU/SL close)
    OMIT = "omit"  # no element (deviceError, notSupport captures)


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One two-way audio channel as the device starts."""

    id: int = 1
    codec: str = "G.711ulaw"
    codec_options: tuple[str, ...] = CODEC_OPTIONS
    speaker_volume: int = 50
    volume_min: int = 0
    volume_max: int = 100
    stated_volume_range: tuple[int, int] | None = None
    """What the capabilities state as (min, max) when firmware states another range than the
    one it keeps to (an inverted or too narrow range); None: the range it keeps to."""
    microphone_volume: int | None = None
    input_type: str | None = "MicIn"  # None: no audio input (no microphone, no line in)
    noise_reduce: bool = False
    output_type: str | None = None  # e.g. "Speaker"; absent on many cameras
    echo_cancellation: bool | None = None

    def __post_init__(self) -> None:
        if self.codec not in self.codec_options:
            raise ValueError(f"channel {self.id}: codec {self.codec} not in {self.codec_options}")
        if not self.volume_min <= self.speaker_volume <= self.volume_max:
            raise ValueError(f"channel {self.id}: speaker_volume outside its range")


def _default_serial(model: str) -> str:
    return f"{model}00000000AAWRJ00000000"


@dataclass(frozen=True, slots=True)
class CameraConfig:
    """A whole device. `serial`, `mac` and `realm` default to values derived from the model."""

    model: str = "DS-2CD2386G2-IU"
    serial: str = ""
    mac: str = ""
    device_name: str = "Simulated camera"
    device_type: str = "IPCamera"
    firmware_version: str = "V5.7.18"
    firmware_build: str = "build 240826"
    namespace: NamespaceVariant = NamespaceVariant.HIKVISION
    channels: tuple[ChannelConfig, ...] = (ChannelConfig(),)
    username: str = "admin"
    password: str = field(default="simulator", repr=False)
    auth_scheme: AuthScheme = AuthScheme.DIGEST
    digest_algorithm: DigestAlgorithm = DigestAlgorithm.MD5
    realm: str = ""
    nonce_lifetime: float = NONCE_LIFETIME
    session_id_style: SessionIdStyle = SessionIdStyle.ALNUM32
    session_id: str | None = None  # a fixed id for every open (tests); None: random
    session_id_required: bool = True
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    request_url: RequestUrlStyle = RequestUrlStyle.PATH
    # False: a camera without two-way audio; /ISAPI/System/TwoWayAudio/* answer 404 notSupport.
    two_way_audio: bool = True
    # False: the channel list is empty (a recorder with no audio-capable camera attached).
    list_channels: bool = True
    # What the microphone picks up between queued clips: "tone", "silence" or a sound file.
    microphone: str = "tone"
    # Seconds between alertStream heartbeats; seconds a door station rings unanswered.
    heartbeat_seconds: float = 10.0
    ring_timeout: float = 30.0

    def __post_init__(self) -> None:
        ids = [channel.id for channel in self.channels]
        if not ids or len(set(ids)) != len(ids):
            raise ValueError("a camera needs at least one channel and unique channel ids")
        if not self.serial:
            object.__setattr__(self, "serial", _default_serial(self.model))
        if not self.mac:
            digest = hashlib.sha256(self.serial.encode()).digest()
            # A locally administered unicast address, stable for a given serial.
            octets = [0x02, *digest[:5]]
            object.__setattr__(self, "mac", ":".join(f"{octet:02x}" for octet in octets))
        if not self.realm:
            object.__setattr__(self, "realm", self.model)
        if self.heartbeat_seconds <= 0 or self.ring_timeout <= 0:
            raise ValueError("heartbeat and ring_timeout must be positive seconds")

    @property
    def auth_policy(self) -> AuthPolicy:
        """How the device checks credentials."""
        return AuthPolicy(
            scheme=self.auth_scheme,
            username=self.username,
            password=self.password,
            realm=self.realm,
            algorithm=self.digest_algorithm,
            nonce_lifetime=self.nonce_lifetime,
        )
