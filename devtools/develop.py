"""`scripts/develop`: Home Assistant with Talkback, against the built-in device simulators.

Starts the simulators (fixed ports and MACs, so the entries Home Assistant stores stay valid
from one run to the next), prepares config/ (owner account, onboarding done), starts Home
Assistant, adds every simulated device through Talkback's config flow over the REST API (as
the UI would), sets up voice at the gate station (devtools/voice.py), prints where to log in,
and on Ctrl-C or SIGTERM (`timeout`), even while starting, stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import signal
from typing import Any

import aiohttp

from .config_dir import prepare_config_dir
from .hass import HassApi, HassProcess
from .simulators import SimulatorProcess
from .voice import PIPELINE_NAME, set_up_door_voice

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "dev"
PASSWORD = "talkback"  # noqa: S105  (a local demo account, printed for the developer)
DEVICE_PASSWORD = "simulator"  # noqa: S105  (the simulated devices' password)

DISCOVERED_MAC = "24:28:fd:00:18:03"
DISCOVERED_PORT = 18003
"""A Hikvision OUI (24:28:FD): Talkback's DHCP matcher claims it."""

GATE_PORT = 18002
LOAD_TIMEOUT = 60.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

DEMO_DEVICES = [
    "--camera",
    (
        "port=18001,device_name=Front door,model=DS-2CD2386G2-IU,"
        "mac=02:00:00:00:18:01,serial=DS-2CD2386G2-IU20240101AAWRDEMO00001"
    ),
    "--camera",
    (
        "port=18002,device_name=Gate station,model=DS-KV8213-WME1,device_type=VIS,"
        "namespace=isapi,channels=2,codecs=G.711ulaw+G.711alaw,microphone=silence,"
        "mac=02:00:00:00:18:02,serial=DS-KV8213-WME1C20240515CCRRDEMO0002"
    ),
    # Not added by add_devices: it shows up as a discovered card (announce_discovered).
    "--camera",
    (
        f"port={DISCOVERED_PORT},device_name=Garden,model=DS-2CD2386G2-IU,"
        f"mac={DISCOVERED_MAC},serial=DS-2CD2386G2-IU20240601AAWRDEMO00003"
    ),
    # Axis speakers on one simulated LAN: the first leads a relay network, the others
    # follow it (see add_devices); a fourth has AXIS OS 10.12 (no relay API).
    "--axis",
    "port=18011,name=Hall speaker,friendly_name=Hall,password=simulator,link_interval=2",
    "--axis",
    "port=18012,name=Kitchen speaker,friendly_name=Kitchen,password=simulator",
    "--axis",
    "port=18013,name=Garage speaker,friendly_name=Garage,password=simulator",
    "--axis",
    (
        "port=18014,name=Porch speaker,friendly_name=Porch,password=simulator,"
        "relay=none,firmware=11.11.73"
    ),
]


async def add_devices(api: HassApi, devices: list[dict[str, Any]]) -> list[str]:
    """Add every simulated device through the config flow; return the ones that were new.

    A device Talkback already has ends its flow with "already_configured". The first Axis
    device with the relay API leads the relay network; the later ones join it.
    """
    added = []
    relay_leader: str | None = None
    for device in devices:
        if device["mac"].lower() == DISCOVERED_MAC:
            continue
        result = await api.run_config_flow(
            "talkback",
            {
                "host": device["host"],
                "port": device["port"],
                "ssl": False,
                "verify_ssl": True,
                "username": device["username"],
                "password": DEVICE_PASSWORD,
            },
        )
        if result.get("step_id") == "relay":
            choice = {"leader": relay_leader} if relay_leader else {}
            result = await api.request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", choice
            )
        if device["kind"] == "axis" and device.get("relay_api_version"):
            relay_leader = relay_leader or device["mac"].lower()
        if result.get("type") == "abort" and result.get("reason") == "already_configured":
            continue
        if result.get("type") != "create_entry":
            raise RuntimeError(f"adding {device['name']} failed: {result}")
        added.append(result["title"])
    return added


async def announce_discovered(api: HassApi, devices: list[dict[str, Any]]) -> None:
    """Let Home Assistant discover the camera that is not configured yet, by its DHCP lease.

    `demo_lan.lease` (devtools/lan) does what the dhcp integration does with a sniffed
    lease: match it against the manifests and start Talkback's real `dhcp` step. DHCP
    knows no port, so the card asks for it (the simulator's is printed).
    """
    device = next(d for d in devices if d["mac"].lower() == DISCOVERED_MAC)
    await api.call_service(
        "demo_lan",
        "lease",
        {"ip": device["host"], "mac": DISCOVERED_MAC, "hostname": "garden-camera"},
    )


async def wait_until_loaded(api: HassApi) -> None:
    """Wait until every Talkback entry is loaded: its entities exist from then on."""
    async with asyncio.timeout(LOAD_TIMEOUT):
        while True:
            entries = await api.config_entries("talkback")
            if entries and all(entry["state"] == "loaded" for entry in entries):
                return
            await asyncio.sleep(0.2)


async def develop(config_dir: Path, port: int) -> int:
    """Run the demo until SIGINT/SIGTERM; return Home Assistant's exit code.

    A signal cancels the demo wherever it is, starting up included (Home Assistant can take
    minutes to start on a busy machine); whatever had started is then stopped.
    """
    simulators = SimulatorProcess([*DEMO_DEVICES, "--record-dir", str(config_dir / "recordings")])
    hass = HassProcess(config_dir, port)
    demo = asyncio.ensure_future(run_demo(config_dir, simulators, hass))
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        # A signal during the clean-up finds the demo done and changes nothing: the clean-up
        # is bounded by the processes' stop timeouts.
        loop.add_signal_handler(sig, demo.cancel)
    try:
        await asyncio.wait([demo])
        if not demo.cancelled():
            demo.result()  # a failed start is raised, after the clean-up
    finally:
        demo.cancel()  # when develop() itself is cancelled
        code = await hass.stop()
        await simulators.stop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    print("Stopped.", flush=True)
    return code or 0


async def run_demo(config_dir: Path, simulators: SimulatorProcess, hass: HassProcess) -> None:
    """Start everything, tell the developer where it is, and wait until Home Assistant ends."""
    await prepare_config_dir(config_dir, USERNAME, PASSWORD)
    await simulators.start()
    await hass.start()
    async with aiohttp.ClientSession() as session:
        api = await HassApi.login(session, hass.url, USERNAME, PASSWORD)
        added = await add_devices(api, simulators.devices)
        await announce_discovered(api, simulators.devices)
        await wait_until_loaded(api)
        gate = next(device for device in simulators.devices if device["port"] == GATE_PORT)
        door = await set_up_door_voice(api, gate["serial"])
    print(f"\nHome Assistant with Talkback: {hass.url}  (login: {USERNAME} / {PASSWORD})")
    for device in simulators.devices:
        print(f"  simulated {device['model']} at {device['url']} (stats: /simulator/stats)")
    if added:
        print(f"  added to Talkback: {', '.join(added)}")
    print(
        f"  discovered, not added: the camera at port {DISCOVERED_PORT} (Settings -> "
        f"Devices & services; user admin, password {DEVICE_PASSWORD})"
    )
    print(
        f"Voice at the gate: {door.satellite} runs '{PIPELINE_NAME}'; ring, then the visitor"
        f" asks:\n  python -m devtools.visitor {gate['url']} 'turn on the porch light'"
    )
    print(f"Recordings: {config_dir / 'recordings'}; log: {config_dir / 'home-assistant.log'}")
    print("Ctrl-C stops everything.\n", flush=True)
    assert hass.process is not None
    await hass.process.wait()


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(develop(args.config.resolve(), args.port)))


if __name__ == "__main__":
    main()
