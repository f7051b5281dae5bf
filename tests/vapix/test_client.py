"""The client's transport against simulated devices: identity, auth, errors, timeouts."""

from __future__ import annotations

from collections.abc import Callable
import logging
import re
import socket

import aiohttp
import pytest

from custom_components.talkback.vapix import (
    VapixAuthenticationError,
    VapixClient,
    VapixConnectionError,
    VapixNotSupportedError,
    VapixResponseError,
    VapixTimeoutError,
)
from simulator.axis import AxisAuth, AxisRelayNetwork
from simulator.core import Fault, FaultKind

from .helpers import PASSWORD, single_device


async def test_device_info_of_a_speaker(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """Serial (= MAC), model, type, firmware, audio output and relay API version."""
    info = await leader_client.device_info()
    device = network[0]
    assert info.serial_number == device.serial
    assert info.mac_address == device.mac.lower()
    assert (info.model, info.product_type) == ("C1410", "Network Speaker")
    assert info.firmware_version == device.config.firmware_version
    assert info.has_audio_output
    assert info.relay_api_version == "1.2"
    assert info.relay_api_supported


async def test_device_info_without_basicdeviceinfo(
    connect: Callable[..., VapixClient],
) -> None:
    """Old firmware (no basicdeviceinfo.cgi) is identified from param.cgi."""
    async with single_device(basic_device_info=False, firmware_version="6.50.1") as device:
        info = await connect(device).device_info()
    assert info.serial_number == device.serial
    assert (info.model, info.firmware_version) == ("C1410", "6.50.1")
    assert info.product_name == "AXIS C1410 Network Mini Speaker"


async def test_device_without_audio_output(connect: Callable[..., VapixClient]) -> None:
    """A camera without a speaker says so."""
    async with single_device(audio_output=False, relay_api_version=None) as device:
        info = await connect(device).device_info()
    assert not info.has_audio_output
    assert not info.relay_api_supported


@pytest.mark.parametrize(
    ("auth", "scheme"),
    [(AxisAuth.BASIC_DIGEST, "digest"), (AxisAuth.DIGEST, "digest"), (AxisAuth.BASIC, "basic")],
)
async def test_digest_preferred_basic_as_fallback(
    connect: Callable[..., VapixClient], auth: AxisAuth, scheme: str
) -> None:
    """Digest whenever offered (even listed after Basic); Basic only when it is all there is.

    Digest is answered ahead after one challenge; Basic is never sent ahead: each request
    answers the challenge the device gives it, so a device that turns Digest on is noticed.
    """
    async with single_device(auth=auth) as device:
        client = connect(device)
        await client.device_info()
        await client.get_sound_configuration()
        assert device.server is not None
        counts = device.server.authenticator.counts
    assert counts.get(scheme, 0) >= 3
    assert set(counts) <= {scheme, "missing"}
    assert counts.get("missing") == (1 if scheme == "digest" else counts["basic"])


async def test_stale_nonce_is_answered_again(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A nonce that went stale costs one retry, not an authentication error."""
    await leader_client.device_info()
    server = network[0].server
    assert server is not None
    server.authenticator.expire_nonces()
    await leader_client.get_sound_configuration()
    assert server.authenticator.counts["stale-nonce"] == 1


async def test_wrong_password(
    network: AxisRelayNetwork, connect: Callable[..., VapixClient]
) -> None:
    """Bad credentials are an authentication error that never shows the password."""
    client = connect(network[0], password="not-the-password")
    with pytest.raises(VapixAuthenticationError, match="check the credentials") as raised:
        await client.device_info()
    assert "not-the-password" not in str(raised.value)
    assert "not-the-password" not in repr(client)


async def test_password_never_logged(
    network: AxisRelayNetwork,
    connect: Callable[..., VapixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Debug logging of a whole relay session carries no password."""
    caplog.set_level(logging.DEBUG)
    client = connect(network[0])
    await client.device_info()
    await client.get_audio_peers()
    assert caplog.records
    assert PASSWORD not in caplog.text


async def test_unreachable_device(session: aiohttp.ClientSession) -> None:
    """A closed port is a connection error that names the address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = VapixClient(session, "127.0.0.1", port=port, username="root", password="x")
    with pytest.raises(VapixConnectionError, match=re.escape(f"127.0.0.1:{port}")):
        await client.device_info()


async def test_slow_device_times_out(
    network: AxisRelayNetwork, connect: Callable[..., VapixClient]
) -> None:
    """A device that does not answer within the request timeout is a timeout error."""
    network[0].faults.add(Fault(FaultKind.DELAY, path="/axis-cgi/param.cgi", seconds=2.0))
    client = connect(network[0], request_timeout=0.2)
    with pytest.raises(VapixTimeoutError, match=r"within 0\.2 s"):
        await client.device_info()


@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
async def test_broken_json_answer(
    network: AxisRelayNetwork, leader_client: VapixClient, kind: FaultKind
) -> None:
    """A relay answer that is not JSON is a response error."""
    network[0].faults.add(Fault(kind, path="/vapix/audiorelay"))
    with pytest.raises(VapixResponseError, match="invalid JSON"):
        await leader_client.get_sound_configuration()


async def test_connection_dropped_mid_answer(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A connection cut inside the answer is a connection error."""
    await leader_client.device_info()
    network[0].faults.add(Fault(FaultKind.DROP_AFTER_SENT, path="/vapix/audiorelay", nbytes=30))
    with pytest.raises(VapixConnectionError):
        await leader_client.get_audio_peers()


async def test_injected_server_error(network: AxisRelayNetwork, leader_client: VapixClient) -> None:
    """An HTTP 500 without a fault body is a response error naming the status."""
    await leader_client.device_info()
    network[0].faults.add(Fault(FaultKind.STATUS, path="/vapix/audiorelay", status=500))
    with pytest.raises(VapixResponseError, match="HTTP 500"):
        await leader_client.get_audio_peers()


async def test_html_401_for_good_credentials(
    network: AxisRelayNetwork, leader_client: VapixClient
) -> None:
    """A device that keeps refusing is an authentication error, after one retry."""
    network[0].faults.add(Fault(FaultKind.HTML_401, path="/axis-cgi/param.cgi"))
    with pytest.raises(VapixAuthenticationError):
        await leader_client.device_info()


async def test_not_an_axis_device(session: aiohttp.ClientSession) -> None:
    """A device without param.cgi is not supported (404)."""
    async with single_device() as device:
        device.faults.add(Fault(FaultKind.STATUS, path="/axis-cgi/param.cgi", status=404))
        client = VapixClient(
            session, "127.0.0.1", port=device.port, username="root", password=PASSWORD
        )
        with pytest.raises(VapixNotSupportedError, match="404"):
            await client.device_info()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("fe80::1", "http://[fe80::1]/axis-cgi/param.cgi?action=list"),
        ("[2001:db8::5]", "http://[2001:db8::5]/axis-cgi/param.cgi?action=list"),
        ("192.0.2.7", "http://192.0.2.7/axis-cgi/param.cgi?action=list"),
    ],
)
def test_ipv6_literal_hosts(session: aiohttp.ClientSession, host: str, url: str) -> None:
    """IPv6 literals, with or without brackets, end up bracketed in the URL only."""
    client = VapixClient(session, host, username="root", password="x")
    built, target = client._url("/axis-cgi/param.cgi", {"action": "list"})
    assert str(built) == url
    assert target == "/axis-cgi/param.cgi?action=list"
    assert client.host == host.strip("[]")


def test_https_default_port(session: aiohttp.ClientSession) -> None:
    """use_ssl selects https and port 443 unless a port is given."""
    client = VapixClient(session, "192.0.2.7", username="root", password="x", use_ssl=True)
    assert str(client._url("/", None)[0]) == "https://192.0.2.7/"


@pytest.mark.parametrize("host", ["", "a/b", "user@host", "a b"])
def test_bad_host_is_refused(session: aiohttp.ClientSession, host: str) -> None:
    """What is not a host name or address is refused before anything is sent."""
    with pytest.raises(ValueError, match="host"):
        VapixClient(session, host, username="root", password="x")


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_bad_port_is_refused(session: aiohttp.ClientSession, port: int) -> None:
    """Ports outside 1..65535 are refused."""
    with pytest.raises(ValueError, match="TCP port"):
        VapixClient(session, "192.0.2.7", port=port, username="root", password="x")
