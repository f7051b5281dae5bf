"""Simulated Axis devices: a relay network of speakers on loopback ports (see README.md)."""

from .config import AxisAuth, AxisSpeakerConfig, FaultStyle, default_address, default_serial
from .lan import RelayLan
from .network import AxisRelayNetwork
from .relay import (
    AUTHENTICATION_FAILED,
    IN_OTHER_PEER_NETWORK,
    INITIATING,
    OFFLINE,
    ONLINE,
    RelayService,
)
from .speaker import AxisSpeaker, AxisSpeakerServer

__all__ = [
    "AUTHENTICATION_FAILED",
    "INITIATING",
    "IN_OTHER_PEER_NETWORK",
    "OFFLINE",
    "ONLINE",
    "AxisAuth",
    "AxisRelayNetwork",
    "AxisSpeaker",
    "AxisSpeakerConfig",
    "AxisSpeakerServer",
    "FaultStyle",
    "RelayLan",
    "RelayService",
    "default_address",
    "default_serial",
]
