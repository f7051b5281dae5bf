"""`python -m simulator --axis port=8101 --axis port=8102,relay=none`: Axis devices.

Every `--axis` device of one process is on the same simulated LAN, so together they can
form a relay network; the n-th gets serial `default_serial(n)` and address 192.0.2.(10+n)
unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path

from simulator.core import DeviceKind, DeviceSpec, DigestAlgorithm

from .config import AxisAuth, AxisSpeakerConfig, FaultStyle, default_address, default_serial
from .lan import RelayLan
from .speaker import AxisSpeaker, AxisSpeakerServer

HELP = (
    "an Axis speaker on a shared simulated LAN: port, name, serial (12 hex digits = MAC), "
    "address (LAN IP peers use), model, product_name, product_type, friendly_name (the "
    "owner's name), firmware, relay "
    "(AudioRelay API version, or none), basic_device_info, audio_output, user, password, "
    "auth (basic_digest|digest|basic|none), algorithm (MD5|SHA-256), realm, fault_style "
    "(json|soap), volume_min, volume_max, link_delay, link_interval, playback_wait"
)

CLI_LAN = RelayLan()
"""The network every --axis device of this process joins."""


def speaker_config(spec: DeviceSpec, index: int) -> AxisSpeakerConfig:
    """Build an AxisSpeakerConfig from command-line options."""
    defaults = AxisSpeakerConfig()
    relay = spec.string("relay", defaults.relay_api_version or "none")
    return AxisSpeakerConfig(
        serial=spec.string("serial", default_serial(index)),
        address=spec.string("address", default_address(index)),
        model=spec.string("model", defaults.model),
        product_name=spec.string("product_name", defaults.product_name),
        product_type=spec.string("product_type", defaults.product_type),
        friendly_name=spec.string("friendly_name", ""),
        firmware_version=spec.string("firmware", defaults.firmware_version),
        relay_api_version=None if relay.lower() == "none" else relay,
        basic_device_info=spec.flag("basic_device_info", defaults.basic_device_info),
        audio_output=spec.flag("audio_output", defaults.audio_output),
        username=spec.string("user", defaults.username),
        password=spec.string("password", defaults.password),
        auth=spec.choice("auth", AxisAuth, defaults.auth),
        digest_algorithm=spec.choice("algorithm", DigestAlgorithm, defaults.digest_algorithm),
        realm=spec.string("realm", ""),
        fault_style=spec.choice("fault_style", FaultStyle, defaults.fault_style),
        volume_min=spec.integer("volume_min", defaults.volume_min, minimum=-1000, maximum=0),
        volume_max=spec.integer("volume_max", defaults.volume_max, maximum=1000),
        link_delay=spec.number("link_delay", defaults.link_delay),
        link_interval=spec.number("link_interval", defaults.link_interval),
        playback_wait=spec.flag("playback_wait", defaults.playback_wait),
    )


def build_speaker(spec: DeviceSpec, record_dir: Path | None) -> AxisSpeakerServer:
    """The `--axis` device kind."""
    port = spec.integer("port", 0, maximum=65535)
    name = spec.optional("name")
    config = speaker_config(spec, len(CLI_LAN.units))
    spec.finish()
    unit = AxisSpeaker(config, lan=CLI_LAN, port=port, name=name, record_dir=record_dir)
    return unit.power_on()


AXIS_KIND = DeviceKind("axis", HELP, build_speaker)
