"""A whole simulated relay network: several Axis devices on one LAN, each on its own port."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Self

from .config import AxisSpeakerConfig, default_address, default_serial
from .lan import RelayLan
from .speaker import AxisSpeaker


class AxisRelayNetwork:
    """`async with AxisRelayNetwork(3) as network:` starts three devices on 127.0.0.1.

    Device i gets serial `default_serial(i)` and LAN address 192.0.2.(10+i) unless
    `configs` says otherwise; `template` sets everything else (credentials, relay API
    version, timings). Nothing is configured as a relay network: that is the client's job.
    """

    def __init__(
        self,
        count: int = 3,
        *,
        configs: Sequence[AxisSpeakerConfig] | None = None,
        template: AxisSpeakerConfig | None = None,
        record_dir: Path | None = None,
    ) -> None:
        if configs is None:
            base = template or AxisSpeakerConfig()
            configs = [
                replace(base, serial=default_serial(i), address=default_address(i), realm="")
                for i in range(count)
            ]
        self.lan = RelayLan()
        self.devices = [
            AxisSpeaker(config, lan=self.lan, record_dir=record_dir) for config in configs
        ]

    def __getitem__(self, index: int) -> AxisSpeaker:
        """The index-th device."""
        return self.devices[index]

    def __iter__(self) -> Iterator[AxisSpeaker]:
        """Every device, in order."""
        return iter(self.devices)

    def __len__(self) -> int:
        """How many devices there are."""
        return len(self.devices)

    async def start(self) -> None:
        """Switch every device on."""
        try:
            for device in self.devices:
                await device.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Switch every device off."""
        for device in reversed(self.devices):
            await device.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
