"""Ending helper tasks for good."""

from __future__ import annotations

import asyncio


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Cancel a helper task and wait until it has ended.

    Unlike `suppress(CancelledError)` around `await task`, a cancellation of the caller itself
    still propagates.
    """
    if task is None:
        return
    if not task.done():
        task.cancel()
        await asyncio.wait([task])
    if not task.cancelled():
        # Helper tasks handle their own errors; this only marks the result as retrieved.
        task.exception()
