"""The fault campaign's judging and summary (scripts/faults): what makes an episode bad."""

from __future__ import annotations

import random

from faults.__main__ import home_order
from faults.home import CASES, CLEAN_CASES
from faults.judge import HANG, SOCKET_SLACK, SUCCESS, Episode, growth, summarize


def _episode(**changes: object) -> Episode:
    base: dict[str, object] = {
        "case": "reset",
        "outcome": "cannot_connect",
        "seconds": 1.0,
        "bound": 10.0,
        "heard": 800,
        "expected": 8000,
        "entity_state": "idle",
    }
    return Episode(**(base | changes))  # type: ignore[arg-type]


def test_a_translated_failure_that_left_nothing_is_good() -> None:
    """An error key, in time, device idle, nothing left: not bad."""
    assert _episode().problems() == []


def test_success_needs_the_audio_at_the_device() -> None:
    """A success with audio missing beyond the tolerance is a false success."""
    assert _episode(outcome=SUCCESS, heard=8000).problems() == []
    assert _episode(outcome=SUCCESS, heard=7700, tolerance=320).problems() == []
    problems = _episode(outcome=SUCCESS, heard=7000, tolerance=320).problems()
    assert problems == ["false success: the device heard 7000 of 8000 bytes"]
    retried = _episode(outcome=f"cannot_connect then {SUCCESS}", heard=4000).problems()
    assert retried == ["false success: the device heard 4000 of 8000 bytes"]


def test_every_leftover_is_named() -> None:
    """Hang, session, ffmpeg, sockets, tasks, entity state and untranslated errors count."""
    episode = _episode(
        outcome=HANG,
        seconds=31.0,
        session_open=True,
        ffmpeg_left=1,
        sockets_left=SOCKET_SLACK + 1,
        tasks_left=["IsapiClient._close_later"],
        entity_state="playing",
    )
    assert not episode.within_bound
    assert episode.problems() == [
        "past its bound (31.0 s > 10.0 s)",
        "session left open at the device",
        "1 ffmpeg process(es) left",
        f"{SOCKET_SLACK + 1} socket(s) left",
        "task(s) left: IsapiClient._close_later",
        "entity left playing",
    ]
    assert _episode(entity_state="unavailable").problems() == ["entity left unavailable"]
    assert _episode(outcome="untranslated:TimeoutError").problems() == [
        "an error without a translation"
    ]
    assert _episode(sockets_left=SOCKET_SLACK).problems() == []
    assert _episode(sockets_left=1, half_closed=1).problems() == [
        "1 socket(s) closed by the device, never by Talkback"
    ]


def test_summary_counts_outcomes_and_bad_episodes() -> None:
    """Per kind: outcomes, bad count, bound flag; the bad episodes are listed."""
    summary = summarize(
        [
            _episode(),
            _episode(outcome=SUCCESS, heard=0),
            _episode(case="none", outcome=SUCCESS, heard=8000, seconds=1.2),
        ]
    )
    assert summary["episodes"] == 3
    assert summary["bad_episodes"] == 1
    assert summary["kinds"]["reset"]["outcomes"] == {"cannot_connect": 1, SUCCESS: 1}
    assert summary["kinds"]["reset"]["bad"] == 1
    assert summary["kinds"]["none"] == {
        "episodes": 1,
        "outcomes": {SUCCESS: 1},
        "bad": 0,
        "all_within_bound": True,
        "max_seconds": 1.2,
        "max_settle_seconds": 0.0,
    }
    assert [bad["case"] for bad in summary["bad"]] == ["reset"]


def test_growth_is_last_minus_first() -> None:
    """Resource growth over the start, middle and end samples."""
    samples = [{"descriptors": 30}, {"descriptors": 33}, {"descriptors": 31}]
    assert growth(samples, "descriptors") == 1
    assert growth([], "descriptors") == 0


def test_soak_mixes_faults_and_clean_plays() -> None:
    """Every kind `episodes` times, then soak plays with about the asked share faulted."""
    order = home_order(random.Random(1), list(CASES), 1, 1000, 0.2)
    assert sorted(case.name for case in order[: len(CASES)]) == sorted(c.name for c in CASES)
    soak = order[len(CASES) :]
    faulted = sum(case.name not in CLEAN_CASES for case in soak)
    assert len(soak) == 1000
    assert 150 < faulted < 250


def test_the_outcome_a_fault_must_give() -> None:
    """A fault with one right answer gets it; a wrong answer is named."""
    assert _episode(outcome="channel_busy", due="channel_busy").problems() == []
    assert _episode(outcome="device_error", due="channel_busy").problems() == [
        "device_error where channel_busy is due"
    ]
    stale = frozenset({"invalid_auth"})
    assert _episode(outcome="cannot_connect", wrong=stale).problems() == []
    assert _episode(outcome="invalid_auth", wrong=stale).problems() == [
        "invalid_auth is wrong for this fault"
    ]


def test_every_fault_case_can_fail_its_judge() -> None:
    """No case is judged by nothing but leftovers: each names a due or a wrong outcome."""
    for case in CASES:
        assert case.stop or case.due is not None or case.wrong, case.name
        assert not case.retry or (case.due or "").endswith(f" then {SUCCESS}"), case.name
