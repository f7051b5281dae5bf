"""`python -m simulator` in a subprocess: announce, serve, stop cleanly on a signal."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from simulator.__main__ import main
from simulator.core import DeviceSpec
from simulator.hikvision.cli import camera_config

ROOT = Path(__file__).parents[2]
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def start(*args: str) -> subprocess.Popen[bytes]:
    # Unbuffered: a buffered reader could swallow the next line and fool select().
    return subprocess.Popen(
        [sys.executable, "-m", "simulator", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )


def announced(process: subprocess.Popen[bytes], count: int) -> list[dict[str, object]]:
    """The JSON lines the simulator prints once its devices listen."""
    assert process.stdout is not None
    lines = []
    for _ in range(count):
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        assert ready, "the simulator did not announce its devices"
        lines.append(json.loads(process.stdout.readline()))
    return lines


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Every process a test starts is gone afterwards, whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=STOP_TIMEOUT)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_runs_two_cameras_and_stops_on_signal(
    processes: list[subprocess.Popen[bytes]], signum: signal.Signals, tmp_path: Path
) -> None:
    """Two cameras announce themselves, serve ISAPI and control, and exit 0 on a signal."""
    process = start(
        "--camera",
        "model=DS-2CD2386G2-IU,codec=G.711alaw,namespace=isapi",
        "--camera",
        "name=door,model=DS-KV8213,channels=2,codecs=G.711ulaw+AAC,auth=basic",
        "--record-dir",
        str(tmp_path),
    )
    processes.append(process)
    first, second = announced(process, 2)
    assert (first["kind"], first["model"], first["namespace"]) == (
        "hikvision",
        "DS-2CD2386G2-IU",
        "isapi",
    )
    assert second["name"] == "door"
    assert second["channels"] == [{"id": 1, "codec": "G.711ulaw"}, {"id": 2, "codec": "AAC"}]
    assert first["port"] != second["port"]

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{first['url']}/ISAPI/System/deviceInfo", timeout=5)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Digest ")
    with urllib.request.urlopen(f"{second['url']}/simulator/stats", timeout=5) as response:
        stats = json.load(response)
    assert stats["device"]["auth"] == "basic"

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=STOP_TIMEOUT)
    assert process.returncode == 0, stderr.decode()


def test_fixed_port_and_busy_port(processes: list[subprocess.Popen[bytes]]) -> None:
    """A second simulator on a taken port fails with a message and exit status 1."""
    first = start("--camera", "port=0")
    processes.append(first)
    [device] = announced(first, 1)
    second = start("--camera", f"port={device['port']}")
    processes.append(second)
    _, stderr = second.communicate(timeout=START_TIMEOUT)
    assert second.returncode == 1
    assert b"cannot listen" in stderr
    first.terminate()
    first.communicate(timeout=STOP_TIMEOUT)
    assert first.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "start at least one device"),
        (("--camera", "colour=red"), "unknown options: colour"),
        (("--camera", "channels=2,codecs=G.711ulaw"), "1 codecs for 2 channels"),
        (("--camera", "namespace=xml"), "choose one of"),
        (("--camera", "port=70000"), "outside"),
        (("--camera", "codec=OPUS"), "OPUS"),
    ],
)
def test_bad_options_exit_2(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse-style errors for bad device specs (in-process: the parser is the same)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_spec_parsing() -> None:
    """Every camera option lands in the configuration."""
    spec = DeviceSpec(
        "model=DS-KV8113,serial=S1,mac=aa:bb:cc:dd:ee:ff,device_type=VIS,firmware=V2.2.53,"
        "build=build 1,namespace=psia,channels=2,codec=G.711alaw,volume=70,microphone_volume=90,"
        "user=u,password=p,auth=digest,algorithm=SHA-256,realm=R,nonce_lifetime=5,"
        "session_id_style=digits,session_id=abc,session_id_required=false,idle_timeout=0.3,"
        "request_url=omit,device_name=Door"
    )
    config = camera_config(spec)
    spec.finish()
    assert (config.model, config.serial, config.mac, config.realm) == (
        "DS-KV8113",
        "S1",
        "aa:bb:cc:dd:ee:ff",
        "R",
    )
    assert [(c.id, c.codec, c.speaker_volume, c.microphone_volume) for c in config.channels] == [
        (1, "G.711alaw", 70, 90),
        (2, "G.711alaw", 70, 90),
    ]
    assert (config.digest_algorithm.value, config.nonce_lifetime, config.idle_timeout) == (
        "SHA-256",
        5.0,
        0.3,
    )
    assert (config.session_id, config.session_id_required, config.request_url.value) == (
        "abc",
        False,
        "omit",
    )
    for bad in ("x", "a=1,a=2", "=1", "idle_timeout=-1", "volume=x", "session_id_required=maybe"):
        with pytest.raises(ValueError, match=r"key=value|twice|negative|not|true or false"):
            camera_config(DeviceSpec(bad))
