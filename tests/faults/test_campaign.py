"""The fault campaign still runs (it is outside CI, so nothing else would notice it broke).

A few episodes of `python -m faults` in its own process, as `scripts/faults` runs it: Home
Assistant sets up the three devices, a clean play and a faulted one on each protocol are
judged, and the summary is the JSON the README describes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).parents[2]
KINDS = ("none", "axis_none", "garbage_answer", "axis_busy_503")


def test_a_short_campaign_runs_and_judges() -> None:
    """Four kinds, one episode each: none bad, the outcomes the faults must give."""
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(
        [sys.executable, "-m", "faults", "--only", *KINDS, "--episodes", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout)
    assert summary["bad_episodes"] == 0
    assert set(summary["kinds"]) == set(KINDS)
    outcomes = {kind: summary["kinds"][kind]["outcomes"] for kind in KINDS}
    assert outcomes["none"] == {"success": 1}
    assert outcomes["axis_none"] == {"success": 1}
    assert outcomes["garbage_answer"] == {"device_error": 1}
    assert outcomes["axis_busy_503"] == {"channel_busy": 1}
    assert summary["growth"]["tasks"] == 0
