"""A two-way audio channel: its settings, its session, and its XML."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import time
from xml.etree.ElementTree import Element as ParsedElement, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from simulator.core import Recording, RequestBody

from .config import INPUT_TYPE_OPTIONS, ChannelConfig
from .const import STATUS_DEVICE_BUSY, STATUS_INVALID_OPERATION, STATUS_INVALID_XML_CONTENT
from .documents import Element, cap, el


class IsapiError(Exception):
    """A request the device refuses; answered as a ResponseStatus document."""

    def __init__(self, status_code: int, sub_status: str, description: str | None = None) -> None:
        super().__init__(description or sub_status)
        self.status_code = status_code
        self.sub_status = sub_status
        self.description = description


def invalid_id(channel_id: str) -> IsapiError:
    """The error for a channel id the device does not have."""
    return IsapiError(
        STATUS_INVALID_OPERATION, "invalidID", f"no two-way audio channel {channel_id}"
    )


@dataclass(slots=True, eq=False)
class TwoWayAudioSession:
    """An open session. An orphan is one left behind by an earlier client (stale mode)."""

    session_id: str
    recording: Recording | None
    last_activity: float = field(default_factory=time.monotonic)
    orphan: bool = False
    closed: bool = False
    talk_socket: RequestBody | None = None
    watchdog: asyncio.Task[None] | None = None


@dataclass(slots=True, eq=False)
class AudioChannel:
    """A channel's current settings; `enabled` is status, not a setting."""

    config: ChannelConfig
    codec: str = ""
    speaker_volume: int = 0
    microphone_volume: int | None = None
    input_type: str | None = ""
    noise_reduce: bool = False
    held: bool = False
    session: TwoWayAudioSession | None = None

    def __post_init__(self) -> None:
        self.restore()

    def restore(self) -> None:
        """Back to the configured settings, no session, not held."""
        self.codec = self.config.codec
        self.speaker_volume = self.config.speaker_volume
        self.microphone_volume = self.config.microphone_volume
        self.input_type = self.config.input_type
        self.noise_reduce = self.config.noise_reduce
        self.held = False
        self.session = None

    @property
    def id(self) -> int:
        """The channel id."""
        return self.config.id

    @property
    def enabled(self) -> bool:
        """True while someone talks: a session is open or the channel is held."""
        return self.held or self.session is not None

    def require_free(self) -> None:
        """Refuse `open` like a device: held channels are busy, open ones refuse twice."""
        if self.held:
            raise IsapiError(
                STATUS_DEVICE_BUSY, "deviceBusy", "the channel is in use by another client"
            )
        if self.session is not None:
            raise IsapiError(
                STATUS_INVALID_OPERATION,
                "invalidOperation",
                "two-way audio is already open on this channel",
            )

    def element(self) -> Element:
        """<TwoWayAudioChannel>, in the element order of the captures."""
        channel = el(
            "TwoWayAudioChannel",
            None,
            el("id", self.id),
            el("enabled", self.enabled),
            el("audioCompressionType", self.codec),
            el("speakerVolume", self.speaker_volume),
        )
        if self.microphone_volume is not None:
            channel.children.append(el("microphoneVolume", self.microphone_volume))
        channel.children.append(el("noisereduce", self.noise_reduce))
        if self.input_type is not None:
            channel.children.append(el("audioInputType", self.input_type))
        if self.codec == "AAC":
            # Units are implicit on the device (kbit/s and kHz).
            channel.children += [el("audioBitRate", 32), el("audioSamplingRate", 32)]
        if self.config.echo_cancellation is not None:
            channel.children.append(el("isSupportEchoCancellation", self.config.echo_cancellation))
        if self.config.output_type is not None:
            channel.children.append(el("audioOutputType", self.config.output_type))
        return channel

    def capabilities(self) -> Element:
        """<TwoWayAudioChannelCap>: options as attributes, some with the current value."""
        volume_range = {"min": self.config.volume_min, "max": self.config.volume_max}
        stated = self.config.stated_volume_range or (self.config.volume_min, self.config.volume_max)
        caps = el(
            "TwoWayAudioChannelCap",
            None,
            el("id", self.id),
            cap("enabled", opt="true,false"),
            cap("audioCompressionType", self.codec, opt=",".join(self.config.codec_options)),
            cap("speakerVolume", min=stated[0], max=stated[1]),
        )
        if self.microphone_volume is not None:
            caps.children.append(cap("microphoneVolume", **volume_range))
        caps.children.append(cap("noisereduce", opt="true,false"))
        if self.input_type is not None:
            caps.children.append(
                cap("audioInputType", self.input_type, opt=",".join(INPUT_TYPE_OPTIONS))
            )
        return caps

    def apply(self, body: bytes) -> None:
        """Apply a PUT of <TwoWayAudioChannel>: all or nothing, range-checked.

        `enabled` is ignored: like the devices, it is a status that only open/close change.
        Unknown elements are ignored, as devices do.
        """
        values = _child_texts(_parse_root(body, "TwoWayAudioChannel"))
        if values.get("id") != str(self.id):
            raise IsapiError(STATUS_INVALID_XML_CONTENT, "badXmlContent", f"<id> must be {self.id}")
        codec = values.get("audioCompressionType", self.codec)
        if codec not in self.config.codec_options:
            raise _bad_parameter("audioCompressionType", ",".join(self.config.codec_options))
        input_type = values.get("audioInputType", self.input_type)
        if input_type is not None and input_type not in INPUT_TYPE_OPTIONS:
            raise _bad_parameter("audioInputType", ",".join(INPUT_TYPE_OPTIONS))
        speaker = self._volume(values, "speakerVolume", self.speaker_volume)
        microphone = self.microphone_volume
        if microphone is not None:
            microphone = self._volume(values, "microphoneVolume", microphone)
        noise_reduce = _boolean(values, "noisereduce", self.noise_reduce)
        self.codec, self.input_type, self.noise_reduce = codec, input_type, noise_reduce
        self.speaker_volume, self.microphone_volume = speaker, microphone

    def _volume(self, values: dict[str, str], name: str, current: int) -> int:
        text = values.get(name)
        if text is None:
            return current
        low, high = self.config.volume_min, self.config.volume_max
        if not text.isdigit() or not low <= int(text) <= high:
            raise _bad_parameter(name, f"{low}..{high}")
        return int(text)


def _bad_parameter(name: str, allowed: str) -> IsapiError:
    return IsapiError(
        STATUS_INVALID_XML_CONTENT, "badParameters", f"<{name}> must be one of {allowed}"
    )


def _boolean(values: dict[str, str], name: str, current: bool) -> bool:
    text = values.get(name)
    if text is None:
        return current
    if text not in ("true", "false"):
        raise _bad_parameter(name, "true,false")
    return text == "true"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parse_root(body: bytes, expected: str) -> ParsedElement:
    """Parse a request document safely; anything but a well-formed `expected` is refused."""
    try:
        root: ParsedElement = fromstring(body)
    except (ParseError, DefusedXmlException) as err:
        raise IsapiError(
            STATUS_INVALID_XML_CONTENT, "badXmlContent", "the XML is not valid"
        ) from err
    if _local(root.tag) != expected:
        raise IsapiError(STATUS_INVALID_XML_CONTENT, "badXmlContent", f"expected <{expected}>")
    return root


def _child_texts(root: ParsedElement) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in root}
