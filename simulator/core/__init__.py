"""Device-agnostic simulator core: HTTP server, auth, faults, recorder, control endpoints."""

from .auth import Authenticator, AuthOutcome, AuthPolicy, AuthScheme, DigestAlgorithm
from .cli import DeviceKind, DeviceSpec
from .device import RequestRecord, SimulatedDevice, json_response
from .faults import Fault, FaultKind, FaultPlan
from .g711 import AudioEncoding
from .http import (
    ConnectionDroppedError,
    Hangup,
    Headers,
    HttpError,
    HttpServer,
    Reply,
    Request,
    RequestBody,
    Response,
    StreamResponse,
)
from .recorder import Gap, Recorder, Recording
from .routing import Router

__all__ = [
    "AudioEncoding",
    "AuthOutcome",
    "AuthPolicy",
    "AuthScheme",
    "Authenticator",
    "ConnectionDroppedError",
    "DeviceKind",
    "DeviceSpec",
    "DigestAlgorithm",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Gap",
    "Hangup",
    "Headers",
    "HttpError",
    "HttpServer",
    "Recorder",
    "Recording",
    "Reply",
    "Request",
    "RequestBody",
    "RequestRecord",
    "Response",
    "Router",
    "SimulatedDevice",
    "StreamResponse",
    "json_response",
]
