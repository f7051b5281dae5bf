"""The unauthenticated probe of discovery: what an Axis device tells a stranger."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from custom_components.talkback.vapix.discovery import (
    UnrestrictedInfo,
    get_unrestricted_info,
    owner_name,
)
from custom_components.talkback.vapix.exceptions import (
    VapixAuthenticationError,
    VapixConnectionError,
    VapixNotSupportedError,
    VapixResponseError,
)
from simulator.core import Fault, FaultKind

from .helpers import FAST, single_device

PATH = "/axis-cgi/basicdeviceinfo.cgi"


async def test_speaker_answers_without_credentials(session: aiohttp.ClientSession) -> None:
    """AXIS OS 8.40 on: the unrestricted properties go to anyone, nothing else does."""
    async with single_device(friendly_name="Hall") as device:
        info = await get_unrestricted_info(session, device.host, port=device.port)
        assert device.server is not None
        assert [r.auth for r in device.server.requests] == ["anonymous"]
        # getAllProperties (chip, architecture) still needs credentials.
        async with session.post(
            f"http://{device.host}:{device.port}{PATH}",
            json={"apiVersion": "1.0", "method": "getAllProperties"},
        ) as response:
            assert response.status == 401
    assert info.serial_number == device.serial
    assert (info.model, info.product_type) == ("AXIS C1410", "Network Speaker")
    assert info.plays_audio


@pytest.mark.parametrize(
    ("number", "kind", "plays"),
    [
        ("C1410", "Network Speaker", True),
        ("C1310-E", "Network Horn Speaker", True),
        ("I8016-LVE", "Network Video Intercom", True),
        ("A8207-VE", "Network Video Door Station", True),
        ("M1065-LW", "Network Camera", False),
        ("P3364-L", "Network Camera", False),  # has audio out: only after sign-in
        ("Q1656", "Box Camera", False),
    ],
)
def test_which_models_play_audio(number: str, kind: str, plays: bool) -> None:
    """Speakers, horns, intercoms and door stations get a card; cameras do not."""
    document = {
        "data": {
            "propertyList": {"SerialNumber": "ACCC8E000001", "ProdNbr": number, "ProdType": kind}
        }
    }
    assert UnrestrictedInfo.from_json(document).plays_audio is plays


def test_owner_name() -> None:
    """The factory "AXIS <model> - <serial>" is no owner's name."""
    assert owner_name("AXIS M1065-LW - ACCC12345678", "ACCC12345678") is None
    assert owner_name("", "ACCC12345678") is None
    assert owner_name(None, "ACCC12345678") is None
    assert owner_name("Hall", "ACCC12345678") == "Hall"


async def test_old_firmware_and_closed_ports(session: aiohttp.ClientSession) -> None:
    """No basicdeviceinfo.cgi: not supported; nothing listening: a connection error."""
    async with single_device(basic_device_info=False) as device:
        with pytest.raises(VapixNotSupportedError):
            await get_unrestricted_info(session, device.host, port=device.port)
    with pytest.raises(VapixConnectionError):
        await get_unrestricted_info(session, device.host, port=device.port)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(FaultKind.HTML_401, path=PATH), VapixAuthenticationError),
        (Fault(FaultKind.MALFORMED, path=PATH), VapixResponseError),
        (Fault(FaultKind.TRUNCATED, path=PATH), VapixResponseError),
        (Fault(FaultKind.STATUS, status=500, path=PATH), VapixResponseError),
    ],
    ids=["anonymous access off", "malformed", "truncated", "server error"],
)
async def test_hostile_or_closed_answers(
    session: aiohttp.ClientSession, fault: Fault, error: type[Exception]
) -> None:
    """Every answer that is not the properties is a clear error, never a hang."""
    async with single_device() as device:
        device.faults.add(fault)
        with pytest.raises(error):
            await get_unrestricted_info(session, device.host, port=device.port)


def test_template_is_a_speaker() -> None:
    """The simulated default is a speaker with the factory name."""
    assert replace(FAST).announced_name == f"AXIS C1410 - {FAST.serial}"
