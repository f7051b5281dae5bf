"""Configuration of one simulated Axis device (network speaker, camera with audio out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import ipaddress

from simulator.core import AuthPolicy, AuthScheme, DigestAlgorithm
from simulator.core.const import NONCE_LIFETIME

from .const import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    GAIN_NAME,
    GAIN_STEPS,
    LINK_DELAY,
    LINK_INTERVAL,
)


class AxisAuth(StrEnum):
    """What the device's HTTP server accepts (Axis: Network.HTTP.AuthenticationPolicy)."""

    BASIC_DIGEST = "basic_digest"  # both offered; the common default
    DIGEST = "digest"
    BASIC = "basic"  # old firmware
    NONE = "none"


class FaultStyle(StrEnum):
    """How the relay service words a refusal."""

    JSON = "json"  # {"Fault": "env:Sender", "FaultCode": "ter:InvalidArgVal", ...}
    SOAP = "soap"  # a SOAP 1.2 env:Fault document


def default_serial(index: int) -> str:
    """An Axis-style serial (= MAC, Axis OUI AC:CC:8E) for the index-th device."""
    return f"ACCC8E{0x5A0000 + index:06X}"


def default_address(index: int) -> str:
    """The index-th device's address on the simulated LAN (TEST-NET-1, never routed)."""
    return f"192.0.2.{10 + index}"


@dataclass(frozen=True, slots=True)
class AxisSpeakerConfig:
    """A whole device. `address` is where other peers find it on the simulated LAN.

    The client reaches every device at 127.0.0.1 on its own port; relay peers address
    each other by `address` or by MAC, as on a real network.
    """

    serial: str = field(default_factory=lambda: default_serial(0))
    address: str = field(default_factory=lambda: default_address(0))
    model: str = "C1410"
    product_name: str = "AXIS C1410 Network Mini Speaker"
    product_type: str = "Network Speaker"
    friendly_name: str = ""
    """The owner's name for the device (Network.Bonjour/UPnP.FriendlyName, the zeroconf
    service name); empty: the factory default "AXIS <model> - <serial>"."""
    firmware_version: str = "10.11.65"
    relay_api_version: str | None = "1.2"
    """None: no relay API (AXIS OS 10.12 and later, or a camera)."""
    basic_device_info: bool = True
    """False: firmware older than basicdeviceinfo.cgi (identity from param.cgi only)."""
    audio_output: bool = True
    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    auth: AxisAuth = AxisAuth.BASIC_DIGEST
    digest_algorithm: DigestAlgorithm = DigestAlgorithm.MD5
    realm: str = ""
    nonce_lifetime: float = NONCE_LIFETIME
    volume_unit: str = "dB"
    volume_min: int = -57
    volume_max: int = 6
    gain_name: str = GAIN_NAME
    gain_steps: tuple[str, ...] = GAIN_STEPS
    fault_style: FaultStyle = FaultStyle.JSON
    link_delay: float = LINK_DELAY
    link_interval: float = LINK_INTERVAL
    playback_wait: bool = True
    """transmit.cgi answers only when the received audio has been played (real devices)."""

    def __post_init__(self) -> None:
        serial = self.serial.replace(":", "").upper()
        if len(serial) != 12 or any(char not in "0123456789ABCDEF" for char in serial):
            raise ValueError(f"serial {self.serial!r} must be 12 hex digits (it is the MAC)")
        object.__setattr__(self, "serial", serial)
        ipaddress.ip_address(self.address)  # ValueError for anything else
        if not self.volume_min <= 0 <= self.volume_max:
            raise ValueError("the master volume range must include 0")
        if not self.realm:
            object.__setattr__(self, "realm", f"AXIS_{serial}")

    @property
    def announced_name(self) -> str:
        """The name the device announces: the owner's, else "AXIS <model> - <serial>"."""
        return self.friendly_name or f"AXIS {self.model} - {self.serial}"

    @property
    def mac(self) -> str:
        """The MAC in the form relay configurations use (00:40:8C:18:00:00)."""
        return ":".join(self.serial[i : i + 2] for i in range(0, 12, 2))

    @property
    def auth_policy(self) -> AuthPolicy:
        """How the core checks credentials (Basic is added on top for basic_digest)."""
        scheme = {
            AxisAuth.BASIC_DIGEST: AuthScheme.DIGEST,
            AxisAuth.DIGEST: AuthScheme.DIGEST,
            AxisAuth.BASIC: AuthScheme.BASIC,
            AxisAuth.NONE: AuthScheme.NONE,
        }[self.auth]
        return AuthPolicy(
            scheme=scheme,
            username=self.username,
            password=self.password,
            realm=self.realm,
            algorithm=self.digest_algorithm,
            nonce_lifetime=self.nonce_lifetime,
        )
