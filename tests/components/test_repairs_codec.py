"""The repair of a Hikvision talk channel set to a codec Talkback cannot send."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.talkback.const import CONF_CHANNELS, DOMAIN
from simulator.core import Fault, FaultKind
from simulator.hikvision import ChannelConfig, HikvisionCamera

from .audio_fixtures import write_tone
from .helpers import CAMERA, DOOR_STATION, entry_data, heard, play, set_up
from .repairs import issue_texts, placeholders_in, start_fix_flow, submit_fix_flow, talkback_issues

pytestmark = pytest.mark.usefixtures("socket_enabled", "media_dir")

AAC = replace(CAMERA, channels=(ChannelConfig(id=1, codec="AAC"),))
ALAW_ONLY = replace(
    CAMERA,
    channels=(ChannelConfig(id=1, codec="G.726", codec_options=("G.711alaw", "G.726", "AAC")),),
)
NO_G711 = replace(
    CAMERA, channels=(ChannelConfig(id=1, codec="AAC", codec_options=("G.726", "AAC")),)
)
CHANNEL_PATH = "/ISAPI/System/TwoWayAudio/channels/1"


def codec_issue(hass: HomeAssistant, entry: MockConfigEntry, channel: str = "1") -> ir.IssueEntry:
    """The entry's codec issue of a channel (it must exist)."""
    return talkback_issues(hass)[f"unsupported_codec_{entry.entry_id}_{channel}"]


async def poll(entry: MockConfigEntry) -> None:
    """What the 30 s timer does."""
    await entry.runtime_data.coordinator.async_refresh()
    await entry.runtime_data.coordinator.hass.async_block_till_done()


@pytest.mark.parametrize("camera_config", [AAC])
async def test_fix_sets_mulaw_on_the_device_and_reloads(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    hass_client: ClientSessionGenerator,
    media_dir: Path,
) -> None:
    """An AAC channel raises a fixable issue; the fix writes G.711ulaw, reloads, and it plays."""
    issue = codec_issue(hass, loaded_entry)
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.learn_more_url.endswith("troubleshooting.md#repairs")
    assert issue.translation_key == "unsupported_codec"
    assert issue.translation_placeholders == {
        "device": "Front door",
        "channel": "1",
        "codec": "AAC",
        "target": "G.711ulaw",
    }
    setups_before = len([r for r in camera.requests if r.target.endswith("/capabilities")])

    step = await start_fix_flow(hass_client, issue.issue_id)
    assert step["type"] == "form"
    assert step["step_id"] == "confirm"
    assert step["description_placeholders"]["target"] == "G.711ulaw"
    assert camera.channels[1].codec == "AAC"  # nothing written before the user confirms

    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()
    assert camera.channels[1].codec == "G.711ulaw"
    assert camera.channels[1].speaker_volume == 50  # the rest of the channel is kept
    assert loaded_entry.state is ConfigEntryState.LOADED
    setups_after = len([r for r in camera.requests if r.target.endswith("/capabilities")])
    assert setups_after == setups_before + 1  # reloaded: the capabilities were read again
    assert talkback_issues(hass) == {}
    assert hass.states.get("select.front_door_audio_codec").state == "G.711ulaw"

    write_tone(media_dir / "tone.wav", 0.3)
    await play(hass, "media_player.front_door", "media-source://media_source/local/tone.wav")
    [recording] = camera.recorder.recordings
    assert recording.codec == "G.711ulaw"
    assert heard(recording) > 0


@pytest.mark.parametrize("camera_config", [ALAW_ONLY])
async def test_fix_uses_alaw_where_only_alaw_is_offered(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """A G.726 channel offering A-law only is set to A-law."""
    issue = codec_issue(hass, loaded_entry)
    assert issue.translation_placeholders["codec"] == "G.726"
    assert issue.translation_placeholders["target"] == "G.711alaw"
    step = await start_fix_flow(hass_client, issue.issue_id)
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()
    assert camera.channels[1].codec == "G.711alaw"
    assert talkback_issues(hass) == {}


@pytest.mark.parametrize("camera_config", [NO_G711])
async def test_no_g711_offered_is_explained_not_fixable(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Without a G.711 option only the device can help: the issue explains, with no fix."""
    issue = codec_issue(hass, loaded_entry)
    assert not issue.is_fixable
    assert issue.translation_key == "unsupported_codec_no_g711"
    assert issue.translation_placeholders["codec"] == "AAC"


@pytest.mark.parametrize("camera_config", [AAC])
async def test_issue_follows_the_codec_changed_elsewhere(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """Changed on the device's web page: the issue goes at the next poll, and comes back."""
    assert codec_issue(hass, loaded_entry)
    camera.channels[1].codec = "G.711ulaw"
    await poll(loaded_entry)
    assert talkback_issues(hass) == {}

    camera.channels[1].codec = "G.726"
    await poll(loaded_entry)
    assert codec_issue(hass, loaded_entry).translation_placeholders["codec"] == "G.726"


@pytest.mark.parametrize("camera_config", [AAC])
async def test_issue_stays_while_the_device_does_not_answer(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, camera: HikvisionCamera
) -> None:
    """A failed poll says nothing about the codec: the issue is neither raised nor withdrawn."""
    camera.faults.add(Fault(FaultKind.STATUS, status=503))
    await poll(loaded_entry)
    assert codec_issue(hass, loaded_entry)


@pytest.mark.parametrize("camera_config", [AAC])
async def test_refused_write_is_shown_and_the_issue_stays(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """The device refusing the change shows its reason on the form; nothing is reloaded."""
    issue = codec_issue(hass, loaded_entry)
    step = await start_fix_flow(hass_client, issue.issue_id)
    camera.faults.add(Fault(FaultKind.STATUS, path=CHANNEL_PATH, method="PUT", status=500))
    again = await submit_fix_flow(hass_client, step["flow_id"])
    assert again["type"] == "form"
    assert again["errors"] == {"base": "write_failed"}
    assert "deviceError" in again["description_placeholders"]["error"]
    assert camera.channels[1].codec == "AAC"
    assert codec_issue(hass, loaded_entry)

    camera.faults.clear()
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()
    assert camera.channels[1].codec == "G.711ulaw"


@pytest.mark.parametrize("camera_config", [AAC])
async def test_unloading_withdraws_the_issue_and_an_open_fix_aborts(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """Unloaded, nothing reads the channel: the issue goes; a dialog left open aborts."""
    step = await start_fix_flow(hass_client, codec_issue(hass, loaded_entry).issue_id)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert talkback_issues(hass) == {}
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert (done["type"], done["reason"]) == ("abort", "not_loaded")
    assert camera.channels[1].codec == "AAC"

    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert codec_issue(hass, loaded_entry)


@pytest.mark.parametrize(
    "camera_config",
    [replace(DOOR_STATION, channels=(ChannelConfig(id=1, codec="AAC"), ChannelConfig(id=2)))],
)
async def test_only_channels_with_a_speaker_raise_it(
    hass: HomeAssistant, camera: HikvisionCamera
) -> None:
    """A channel taken out of the options has no speaker to fail: no issue for it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Gate",
        unique_id=camera.config.mac,
        data=entry_data(camera),
        options={CONF_CHANNELS: ["2"]},
    )
    await set_up(hass, entry)
    assert talkback_issues(hass) == {}

    hass.config_entries.async_update_entry(entry, options={CONF_CHANNELS: ["1", "2"]})
    await poll(entry)
    assert list(talkback_issues(hass)) == [f"unsupported_codec_{entry.entry_id}_1"]


@pytest.mark.parametrize("camera_config", [AAC])
async def test_removing_the_entry_withdraws_its_issues(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A device taken out of Talkback leaves no issue behind."""
    assert codec_issue(hass, loaded_entry)
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert talkback_issues(hass) == {}


@pytest.mark.parametrize(
    ("translation_key", "placeholders"),
    [
        ("unsupported_codec", {"device", "channel", "codec", "target"}),
        ("unsupported_codec_no_g711", {"device", "channel", "codec"}),
    ],
)
async def test_issue_texts_use_the_placeholders_raised(
    hass: HomeAssistant, translation_key: str, placeholders: set[str]
) -> None:
    """Every text exists and names only placeholders the issue (or flow) provides."""
    texts = await issue_texts(hass, translation_key)
    assert "title" in texts
    assert ("fix_flow.step.confirm.description" in texts) == (
        translation_key == "unsupported_codec"
    )
    assert ("description" in texts) != (translation_key == "unsupported_codec")
    for key, text in texts.items():
        allowed = placeholders | ({"error"} if key.endswith("write_failed") else set())
        assert placeholders_in(text) <= allowed, key


@pytest.mark.parametrize("camera_config", [AAC])
async def test_codec_changed_while_the_dialog_is_open_is_not_written_again(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    camera: HikvisionCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """Set to A-law on the device meanwhile: confirming keeps A-law, writes nothing."""
    step = await start_fix_flow(hass_client, codec_issue(hass, loaded_entry).issue_id)
    camera.channels[1].codec = "G.711alaw"
    puts_before = [r for r in camera.requests if r.method == "PUT"]
    done = await submit_fix_flow(hass_client, step["flow_id"])
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()
    assert [r for r in camera.requests if r.method == "PUT"] == puts_before
    assert camera.channels[1].codec == "G.711alaw"
    assert talkback_issues(hass) == {}
