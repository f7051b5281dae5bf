"""One real Home Assistant with Talkback and a simulated camera, shared by the e2e tests.

PHACC's plugin is active here too: it blocks sockets before every test and fails a test that
leaves threads or tasks on its event loop. The instance lives longer than one test, so its
async steps run on an event loop of its own (an `asyncio.Runner`) and the fixtures allow
loopback sockets again.
"""

from __future__ import annotations

from collections.abc import Iterator
import shutil
import time

import pytest
import pytest_socket

from benchmarks.run import find_ffmpeg
from benchmarks.simulated import Camera, Control
from devtools.instance import TalkbackInstance

from .harness import ARTIFACTS, CAMERA, EndToEnd, instance_loop


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """The tests talk to Home Assistant and the simulator on 127.0.0.1."""


@pytest.fixture(scope="package")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndToEnd]:
    """Simulated camera + `hass` on free loopback ports, the camera added through the flow."""
    pytest_socket.enable_socket()  # PHACC blocked sockets before the first test's fixtures
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # no screenshot of an earlier run stays
    ARTIFACTS.mkdir(parents=True)
    ffmpeg = find_ffmpeg()
    instance = TalkbackInstance(tmp_path_factory.mktemp("hass"), [CAMERA], ffmpeg=ffmpeg)
    with instance_loop(instance, "home-assistant.log") as runner:
        started = time.monotonic()
        runner.run(instance.start())
        device = instance.camera()
        camera = Camera(device["name"], device["host"], device["port"], device["url"], 1)
        harness = EndToEnd(runner, instance, Control(instance.rest.session, [camera]), ffmpeg)
        harness.record(
            hass_startup_s=round(instance.startup_seconds, 2),
            instance_ready_s=round(time.monotonic() - started, 2),
        )
        yield harness
