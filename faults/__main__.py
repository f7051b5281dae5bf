"""`python -m faults [--episodes N] [--seed S] [--soak N] [--only NAME ...]`: run the campaign.

Prints one JSON document: per fault kind the outcomes and bad episodes, file descriptors
and tasks at the start, middle and end, and the bad episodes themselves. Exit 1 when any
episode was bad.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
import json
import random
import resource
import sys
from typing import Any

import aiohttp

from .episodes import CASES, Outcome, open_descriptors, run_episode


def _snapshot() -> dict[str, int]:
    return {
        "descriptors": open_descriptors(),
        "tasks": len(asyncio.all_tasks()),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


async def campaign(episodes: int, seed: int, soak: int, only: set[str]) -> dict[str, Any]:
    """Every case `episodes` times in random order, then `soak` more random episodes."""
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
    parser.add_argument("--episodes", type=int, default=3, help="episodes per fault kind")
    parser.add_argument("--seed", type=int, default=12, help="random seed (moments, sizes)")
    parser.add_argument("--soak", type=int, default=0, help="extra random episodes (e.g. 1000)")
    parser.add_argument("--only", nargs="*", default=[], help="fault kinds to run")
    args = parser.parse_args()
    summary = asyncio.run(campaign(args.episodes, args.seed, args.soak, set(args.only)))
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 1 if summary["bad_episodes"] else 0


if __name__ == "__main__":
    sys.exit(main())
