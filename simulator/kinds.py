"""Every device kind `python -m simulator` can start; a new kind adds one entry here."""

from simulator.axis.cli import AXIS_KIND
from simulator.core import DeviceKind
from simulator.hikvision.cli import CAMERA_KIND

DEVICE_KINDS: tuple[DeviceKind, ...] = (CAMERA_KIND, AXIS_KIND)
