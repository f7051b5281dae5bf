"""The Axis speaker: audio through transmit.cgi, and on a leader, through the whole network."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from homeassistant.components.media_player import (
    ATTR_MEDIA_VOLUME_LEVEL,
    ATTR_MEDIA_VOLUME_MUTED,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SUPPORTED_FEATURES,
    SERVICE_VOLUME_MUTE,
    SERVICE_VOLUME_SET,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.talkback import deadline
from simulator.axis import AxisRelayNetwork
from simulator.core import AudioEncoding, Fault, FaultKind
from tests.components.audio_fixtures import write_tone
from tests.components.helpers import failed_play, heard, play, until

from .helpers import HALL, KITCHEN, TEMPLATE, poll

pytestmark = pytest.mark.usefixtures("socket_enabled")

BYTES_PER_SECOND = 8000
FRAME = 160


async def on_hall(hass: HomeAssistant, service: str, data: dict[str, object]) -> None:
    """A media player action on the leader, blocking."""
    await hass.services.async_call(
        MEDIA_PLAYER_DOMAIN, service, {ATTR_ENTITY_ID: HALL, **data}, blocking=True
    )
    await hass.async_block_till_done()


async def test_local_media_is_transmitted(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """A file is decoded to µ-law and sent to transmit.cgi in real time, then closed."""
    write_tone(media_dir / "tone.wav", 0.6)
    await play(hass, HALL, "media-source://media_source/local/tone.wav")

    [recording] = axis_network[0].recordings
    assert recording.kind == "transmit"
    assert recording.close_reason == "played"
    assert recording.encoding is AudioEncoding.MULAW
    assert abs(len(recording.data) - 0.6 * BYTES_PER_SECOND) <= 2 * FRAME
    assert heard(recording) > 4000
    assert hass.states.get(HALL).state == MediaPlayerState.IDLE
    assert not axis_network[0].transmitting
    assert leader_entry.runtime_data.talking is False


async def test_one_decode_for_two_speakers(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    follower_entry: MockConfigEntry,
    media_dir: Path,
    ffmpeg_runs: list[tuple[str, ...]],
) -> None:
    """Playing on two Axis speakers in one action decodes once and plays on both."""
    write_tone(media_dir / "tone.wav", 0.4)
    await play(hass, [HALL, KITCHEN], "media-source://media_source/local/tone.wav")
    assert len(ffmpeg_runs) == 1
    for device in axis_network.devices[:2]:
        [recording] = device.recordings
        assert heard(recording) > 4000


@pytest.mark.usefixtures("leader_entry")
async def test_busy_output_is_reported(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, media_dir: Path
) -> None:
    """An output in use by another client (503) fails the action with a translated reason."""
    write_tone(media_dir / "tone.wav", 0.2)
    axis_network[0].faults.add(
        Fault(FaultKind.STATUS, status=503, path="/axis-cgi/audio/transmit.cgi")
    )
    with pytest.raises(HomeAssistantError) as caught:
        await play(hass, HALL, "media-source://media_source/local/tone.wav")
    assert caught.value.translation_key == "channel_busy"
    assert hass.states.get(HALL).state == MediaPlayerState.IDLE


@pytest.mark.usefixtures("leader_entry")
async def test_axis_speaker_that_never_confirms_misses_the_end(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """transmit.cgi never answers: the end bound ends the play before the answer's own
    margin would, and the speaker's output is free again."""
    monkeypatch.setattr(deadline, "PLAY_END_TIMEOUT", 0.5)
    write_tone(media_dir / "tone.wav", 0.4)
    axis_network[0].faults.add(
        Fault(FaultKind.SILENT_END, method="POST", path="*/transmit.cgi", seconds=5.0)
    )
    key, took = await failed_play(hass, HALL, "media-source://media_source/local/tone.wav")
    assert key == "end_timeout"
    assert took < 0.4 + 0.5 + 1.0
    await until(lambda: not axis_network[0].transmitting)


@pytest.mark.parametrize("axis_template", [replace(TEMPLATE, relay_api_version=None)])
async def test_speaker_without_relay_api(
    hass: HomeAssistant, axis_network: AxisRelayNetwork, leader_entry: MockConfigEntry
) -> None:
    """AXIS OS 10.12 on: a plain speaker, no grouping, no volume, no relay entities."""
    assert leader_entry.runtime_data.relay is None
    state = hass.states.get(HALL)
    features = MediaPlayerEntityFeature(state.attributes[ATTR_SUPPORTED_FEATURES])
    assert MediaPlayerEntityFeature.GROUPING not in features
    assert MediaPlayerEntityFeature.VOLUME_SET not in features
    assert hass.states.async_entity_ids("sensor") == []
    assert hass.states.async_entity_ids("switch") == []


async def test_master_volume_and_mute_on_the_leader(
    hass: HomeAssistant,
    axis_network: AxisRelayNetwork,
    leader_entry: MockConfigEntry,
    follower_entry: MockConfigEntry,
) -> None:
    """On a leader, volume is the network's master volume (dB range mapped) and mute too."""
    await on_hall(hass, "join", {"group_members": [KITCHEN]})
    state = hass.states.get(HALL)
    features = MediaPlayerEntityFeature(state.attributes[ATTR_SUPPORTED_FEATURES])
    assert MediaPlayerEntityFeature.VOLUME_SET in features
    assert MediaPlayerEntityFeature.VOLUME_MUTE in features
    # The follower is no leader: its volume is the network's, set on the leader.
    await poll(hass, follower_entry)
    kitchen = hass.states.get(KITCHEN)
    assert MediaPlayerEntityFeature.VOLUME_SET not in MediaPlayerEntityFeature(
        kitchen.attributes[ATTR_SUPPORTED_FEATURES]
    )

    await on_hall(hass, SERVICE_VOLUME_SET, {ATTR_MEDIA_VOLUME_LEVEL: 1.0})
    assert axis_network[0].relay.master_volume == 6
    assert hass.states.get(HALL).attributes[ATTR_MEDIA_VOLUME_LEVEL] == 1.0

    await on_hall(hass, SERVICE_VOLUME_SET, {ATTR_MEDIA_VOLUME_LEVEL: 0.0})
    assert axis_network[0].relay.master_volume == -57

    await on_hall(hass, SERVICE_VOLUME_MUTE, {ATTR_MEDIA_VOLUME_MUTED: True})
    assert axis_network[0].relay.mute is True
    await poll(hass, leader_entry)
    assert hass.states.get(HALL).attributes[ATTR_MEDIA_VOLUME_MUTED] is True
