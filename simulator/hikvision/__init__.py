"""A simulated Hikvision ISAPI camera, door station or NVR with two-way audio channels."""

from .camera import HikvisionCamera
from .channel import AudioChannel, IsapiError, TwoWayAudioSession
from .config import CameraConfig, ChannelConfig, NamespaceVariant, RequestUrlStyle, SessionIdStyle
from .documents import NAMESPACE_URIS

__all__ = [
    "NAMESPACE_URIS",
    "AudioChannel",
    "CameraConfig",
    "ChannelConfig",
    "HikvisionCamera",
    "IsapiError",
    "NamespaceVariant",
    "RequestUrlStyle",
    "SessionIdStyle",
    "TwoWayAudioSession",
]
