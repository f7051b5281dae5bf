"""`python -m faults [--mode home|protocol] [--episodes N] [--soak N] [--seed S] [--only ...]`.

Prints one JSON document: per fault kind the outcomes and bad episodes, file descriptors,
tasks and memory at the start, middle and end, and the bad episodes themselves. Exit 1
when any episode was bad.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
import json
from pathlib import Path
import random
import resource
import sys
from typing import Any

import aiohttp

from .episodes import CASES, Outcome, open_descriptors, run_episode
from .home import CASES as HOME_CASES, CLEAN_CASES, HomeCase, rig, run_episode as run_home
from .judge import Episode, growth, summarize


def _snapshot() -> dict[str, int]:
    return {
        "descriptors": open_descriptors(),
        "tasks": len(asyncio.all_tasks()),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_kib": _rss_kib(),
    }


def _rss_kib() -> int:
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return -1
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "")
    return int(line.split()[1]) if line else -1


def home_order(
    rng: random.Random, cases: list[HomeCase], episodes: int, soak: int, fault_share: float
) -> list[HomeCase]:
    """Every case `episodes` times in random order, then `soak` plays, `fault_share` faulted."""
    order = [case for case in cases for _ in range(episodes)]
    rng.shuffle(order)
    clean = [case for case in cases if case.name in CLEAN_CASES] or cases
    faulted = [case for case in cases if case.name not in CLEAN_CASES] or cases
    order.extend(rng.choice(faulted if rng.random() < fault_share else clean) for _ in range(soak))
    return order


async def home_campaign(
    *, episodes: int, seed: int, soak: int, only: set[str], fault_share: float, audio: float
) -> dict[str, Any]:
    """The campaign through Home Assistant's media_player.play_media."""
    rng = random.Random(seed)  # noqa: S311 - fault moments, not secrets
    cases = [case for case in HOME_CASES if not only or case.name in only]
    order = home_order(rng, cases, episodes, soak, fault_share)
    results: list[Episode] = []
    async with rig(audio) as setup:
        samples = {"start": _snapshot()}
        for index, case in enumerate(order):
            results.append(await run_home(setup, case, rng))
            if index == len(order) // 2:
                samples["middle"] = _snapshot()
            if soak and index % 50 == 49:
                print(f"{index + 1}/{len(order)} plays", file=sys.stderr, flush=True)
        samples["end"] = _snapshot()
    return {
        "mode": "home",
        "seed": seed,
        "audio_seconds": audio,
        **summarize(results),
        "resources": samples,
        "growth": {
            key: growth(samples.values(), key) for key in ("descriptors", "tasks", "rss_kib")
        },
    }


async def protocol_campaign(episodes: int, seed: int, soak: int, only: set[str]) -> dict[str, Any]:
    """The protocol clients alone (no Home Assistant): short timeouts, quick."""
    rng = random.Random(seed)  # noqa: S311 - fault moments, not secrets
    cases = [case for case in CASES if not only or case.name in only]
    order = [case for case in cases for _ in range(episodes)]
    rng.shuffle(order)
    order += [rng.choice(cases) for _ in range(soak)]
    results: list[Outcome] = []
    samples = {"start": _snapshot()}
    async with aiohttp.ClientSession() as http:
        for index, case in enumerate(order):
            results.append(await run_episode(case, rng, http))
            if index == len(order) // 2:
                samples["middle"] = _snapshot()
    samples["end"] = _snapshot()
    kinds: dict[str, dict[str, Any]] = defaultdict(lambda: {"outcomes": Counter(), "bad": 0})
    for result in results:
        kinds[result.case]["outcomes"][result.outcome] += 1
        kinds[result.case]["bad"] += bool(result.problems)
        kinds[result.case].setdefault("max_seconds", 0.0)
        kinds[result.case]["max_seconds"] = round(
            max(kinds[result.case]["max_seconds"], result.seconds), 2
        )
    bad = [result.to_json() for result in results if result.problems]
    return {
        "mode": "protocol",
        "episodes": len(results),
        "seed": seed,
        "bad_episodes": len(bad),
        "kinds": {
            name: {**kind, "outcomes": dict(kind["outcomes"])} for name, kind in kinds.items()
        },
        "resources": samples,
        "bad": bad,
    }


def main() -> int:
    """Entry point; exit 1 when an episode was bad."""
    parser = argparse.ArgumentParser(prog="scripts/faults", description=__doc__)
    parser.add_argument(
        "--mode",
        choices=("home", "protocol"),
        default="home",
        help="home: play_media through Home Assistant (default); protocol: the clients alone",
    )
    parser.add_argument("--episodes", type=int, default=3, help="episodes per fault kind")
    parser.add_argument("--seed", type=int, default=12, help="random seed (moments, sizes)")
    parser.add_argument("--soak", type=int, default=0, help="extra plays (e.g. 1000)")
    parser.add_argument(
        "--fault-share", type=float, default=0.2, help="home soak: share of plays with a fault"
    )
    parser.add_argument("--audio", type=float, default=1.0, help="home: seconds of audio")
    parser.add_argument("--only", nargs="*", default=[], help="fault kinds to run")
    args = parser.parse_args()
    if args.mode == "home":
        run = home_campaign(
            episodes=args.episodes,
            seed=args.seed,
            soak=args.soak,
            only=set(args.only),
            fault_share=args.fault_share,
            audio=args.audio,
        )
    else:
        run = protocol_campaign(args.episodes, args.seed, args.soak, set(args.only))
    summary = asyncio.run(run)
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 1 if summary["bad_episodes"] else 0


if __name__ == "__main__":
    sys.exit(main())
