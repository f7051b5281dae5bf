"""`python -m simulator --camera port=8001,model=...,channels=2,codec=G.711alaw`."""

from __future__ import annotations

from pathlib import Path

from simulator.core import AuthScheme, DeviceKind, DeviceSpec, DigestAlgorithm

from .camera import HikvisionCamera
from .config import CameraConfig, ChannelConfig, NamespaceVariant, RequestUrlStyle, SessionIdStyle
from .const import DEFAULT_IDLE_TIMEOUT

HELP = (
    "a Hikvision ISAPI camera: port, name, model, serial, mac, device_name, device_type, "
    "firmware, build, namespace (hikvision|isapi|std-cgi|psia|none), channels (count), "
    "codec (all channels) or codecs (a+b, per channel), volume, microphone_volume, user, "
    "password, auth (digest|basic|none), algorithm (MD5|SHA-256), realm, nonce_lifetime, "
    "session_id_style (alnum32|digits), session_id, session_id_required, idle_timeout, two_way_audio, "
    "request_url (path|empty|omit), microphone (tone|silence|a sound file), heartbeat (s), "
    "ring_timeout (s)"
)


def camera_config(spec: DeviceSpec) -> CameraConfig:
    """Build a CameraConfig from command-line options."""
    defaults = CameraConfig()
    count = spec.integer("channels", 1, minimum=1, maximum=64)
    codec = spec.string("codec", "G.711ulaw")
    codecs = spec.listing("codecs") or [codec] * count
    if len(codecs) != count:
        raise ValueError(f"codecs lists {len(codecs)} codecs for {count} channels")
    volume = spec.integer("volume", 50, maximum=100)
    microphone = spec.optional_integer("microphone_volume", maximum=100)
    channels = tuple(
        ChannelConfig(
            id=index + 1,
            codec=channel_codec,
            speaker_volume=volume,
            microphone_volume=microphone,
        )
        for index, channel_codec in enumerate(codecs)
    )
    return CameraConfig(
        model=spec.string("model", defaults.model),
        serial=spec.string("serial", ""),
        mac=spec.string("mac", ""),
        device_name=spec.string("device_name", defaults.device_name),
        device_type=spec.string("device_type", defaults.device_type),
        firmware_version=spec.string("firmware", defaults.firmware_version),
        firmware_build=spec.string("build", defaults.firmware_build),
        namespace=spec.choice("namespace", NamespaceVariant, defaults.namespace),
        channels=channels,
        username=spec.string("user", defaults.username),
        password=spec.string("password", defaults.password),
        auth_scheme=spec.choice("auth", AuthScheme, defaults.auth_scheme),
        digest_algorithm=spec.choice("algorithm", DigestAlgorithm, defaults.digest_algorithm),
        realm=spec.string("realm", ""),
        nonce_lifetime=spec.number("nonce_lifetime", defaults.nonce_lifetime),
        session_id_style=spec.choice("session_id_style", SessionIdStyle, defaults.session_id_style),
        session_id=spec.optional("session_id"),
        session_id_required=spec.flag("session_id_required", defaults.session_id_required),
        idle_timeout=spec.number("idle_timeout", DEFAULT_IDLE_TIMEOUT),
        two_way_audio=spec.flag("two_way_audio", defaults.two_way_audio),
        request_url=spec.choice("request_url", RequestUrlStyle, defaults.request_url),
        microphone=spec.string("microphone", defaults.microphone),
        heartbeat_seconds=spec.number("heartbeat", defaults.heartbeat_seconds),
        ring_timeout=spec.number("ring_timeout", defaults.ring_timeout),
    )


def build_camera(spec: DeviceSpec, record_dir: Path | None) -> HikvisionCamera:
    """The `--camera` device kind."""
    port = spec.integer("port", 0, maximum=65535)
    name = spec.optional("name")
    config = camera_config(spec)
    spec.finish()
    return HikvisionCamera(config, port=port, name=name, record_dir=record_dir)


CAMERA_KIND = DeviceKind("camera", HELP, build_camera)
