"""What makes an episode bad, and the summary of many: pure logic, no devices."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SUCCESS = "success"
HANG = "hang"
# Entity states a speaker must not be left in once a play has ended.
STUCK_STATES = frozenset({"playing", "buffering", "unavailable", "unknown"})
# Pooled keep-alive connections may outlive a play; more new sockets than this is a leak.
SOCKET_SLACK = 2


@dataclass(slots=True)
class Episode:
    """What one play with one fault ended with, and what it left behind.

    `outcome`: "success", an error's translation key, "hang" (cancelled at three times the
    bound) or "untranslated:<class>" (an error Home Assistant shows without a translation);
    "<first> then <second>" for a retry at once after the faulted play.
    `heard`/`expected`: audio bytes the device recorded / the play should have delivered;
    `tolerance`: bytes a success may lack (what was in flight when a fault struck).
    `due`/`wrong`: what the fault's outcome must be / must not be (e.g. a busy answer is
    "channel_busy"; a stale nonce is never "invalid_auth").
    """

    case: str
    outcome: str
    seconds: float
    bound: float
    heard: int = 0
    expected: int = 0
    tolerance: int = 0
    session_open: bool = False
    ffmpeg_left: int = 0
    sockets_left: int = 0
    half_closed: int = 0  # new sockets the device closed and Talkback never did (CLOSE_WAIT)
    tasks_left: list[str] = field(default_factory=list)
    entity_state: str | None = None
    settle_seconds: float = 0.0
    due: str | None = None  # the outcome this fault must give, when it has only one
    wrong: frozenset[str] = frozenset()  # outcomes this fault must never give

    @property
    def within_bound(self) -> bool:
        """Whether the call returned within its bound."""
        return self.outcome != HANG and self.seconds <= self.bound

    def problems(self) -> list[str]:
        """Why the episode is bad (empty: it is not)."""
        found = []
        if not self.within_bound:
            found.append(f"past its bound ({self.seconds:.1f} s > {self.bound:.1f} s)")
        # "x then success": a retry after the faulted play; the retry's audio is counted.
        played = self.outcome.rsplit(" then ", 1)[-1] == SUCCESS
        if played and self.heard < self.expected - self.tolerance:
            found.append(f"false success: the device heard {self.heard} of {self.expected} bytes")
        if self.due is not None and self.outcome != self.due:
            found.append(f"{self.outcome} where {self.due} is due")
        if self.outcome in self.wrong:
            found.append(f"{self.outcome} is wrong for this fault")
        if self.outcome.startswith("untranslated:"):
            found.append("an error without a translation")
        if self.session_open:
            found.append("session left open at the device")
        if self.ffmpeg_left:
            found.append(f"{self.ffmpeg_left} ffmpeg process(es) left")
        if self.sockets_left > SOCKET_SLACK:
            found.append(f"{self.sockets_left} socket(s) left")
        if self.half_closed:
            found.append(f"{self.half_closed} socket(s) closed by the device, never by Talkback")
        if self.tasks_left:
            found.append(f"task(s) left: {', '.join(sorted(self.tasks_left))}")
        if self.entity_state in STUCK_STATES:
            found.append(f"entity left {self.entity_state}")
        return found

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": self.case,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 2),
            "bound": self.bound,
            "within_bound": self.within_bound,
            "heard": self.heard,
            "expected": self.expected,
            "session_open": self.session_open,
            "ffmpeg_left": self.ffmpeg_left,
            "sockets_left": self.sockets_left,
            "half_closed": self.half_closed,
            "tasks_left": self.tasks_left,
            "entity_state": self.entity_state,
            "settle_seconds": round(self.settle_seconds, 2),
            "problems": self.problems(),
        }


def summarize(episodes: Sequence[Episode]) -> dict[str, Any]:
    """Per fault kind: outcomes, bad episodes, longest call; plus every bad episode."""
    kinds: dict[str, dict[str, Any]] = {}
    for episode in episodes:
        kind = kinds.setdefault(
            episode.case,
            {"episodes": 0, "outcomes": Counter(), "bad": 0, "all_within_bound": True},
        )
        kind["episodes"] += 1
        kind["outcomes"][episode.outcome] += 1
        kind["bad"] += bool(episode.problems())
        kind["all_within_bound"] &= episode.within_bound
        kind["max_seconds"] = round(max(kind.get("max_seconds", 0.0), episode.seconds), 2)
        kind["max_settle_seconds"] = round(
            max(kind.get("max_settle_seconds", 0.0), episode.settle_seconds), 2
        )
    bad = [episode.to_json() for episode in episodes if episode.problems()]
    return {
        "episodes": len(episodes),
        "bad_episodes": len(bad),
        "kinds": {
            name: {**kind, "outcomes": dict(kind["outcomes"])} for name, kind in kinds.items()
        },
        "bad": bad,
    }


def growth(samples: Iterable[dict[str, int]], key: str) -> int:
    """How much `key` grew from the first resource sample to the last."""
    values = [sample[key] for sample in samples]
    return values[-1] - values[0] if values else 0
