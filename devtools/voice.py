"""Voice at the door for `scripts/develop` and the end-to-end tests, set up as a user would.

Over Home Assistant's own APIs: an Assist pipeline of the offline engines (known-phrases
speech-to-text, Home Assistant's conversation agent, eSpeak NG), chosen on the door station's
satellite; the demo porch light exposed to Assist; and an automation made from the blueprint
"ring, then talk with the visitor at the door".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from .hass import HassApi

PIPELINE_NAME = "Talkback door (offline)"
PIPELINE = {
    "name": PIPELINE_NAME,
    "language": "en",
    "conversation_engine": "conversation.home_assistant",
    "conversation_language": "en",
    "prefer_local_intents": False,
    "stt_engine": "stt.known_phrases",
    "stt_language": "en",
    "tts_engine": "tts.espeak_ng",
    "tts_language": "en",
    "tts_voice": None,
    "wake_word_entity": None,
    "wake_word_id": None,
}
PORCH_LIGHT = "input_boolean.porch_light"
AUTOMATION_ID = "talkback_door_conversation"
BLUEPRINT_PATH = "talkback/doorbell_conversation.yaml"
GREETING = "Hello, how can I help?"
AUTOMATION_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class DoorVoice:
    """The entities of a door station's voice, by what they are."""

    satellite: str
    pipeline_select: str
    vad_sensitivity_select: str
    doorbell: str


async def door_voice(api: HassApi, serial: str, channel: str = "1") -> DoorVoice:
    """Find a door station's satellite, pipeline select and doorbell by their unique ids."""
    entries: list[dict[str, Any]] = await api.websocket_command(
        {"type": "config/entity_registry/list"}
    )
    by_unique_id = {
        entry["unique_id"]: entry["entity_id"]
        for entry in entries
        if entry["platform"] == "talkback"
    }
    return DoorVoice(
        satellite=by_unique_id[f"{serial}_{channel}_satellite"],
        pipeline_select=by_unique_id[f"{serial}_{channel}-pipeline"],
        vad_sensitivity_select=by_unique_id[f"{serial}_{channel}-vad_sensitivity"],
        doorbell=by_unique_id[f"{serial}_doorbell"],
    )


async def offline_pipeline(api: HassApi) -> str:
    """The offline pipeline's id, created unless it exists."""
    listed = await api.websocket_command({"type": "assist_pipeline/pipeline/list"})
    for pipeline in listed["pipelines"]:
        if pipeline["name"] == PIPELINE_NAME:
            return str(pipeline["id"])
    created = await api.websocket_command({"type": "assist_pipeline/pipeline/create", **PIPELINE})
    return str(created["id"])


async def set_up_door_voice(api: HassApi, serial: str) -> DoorVoice:
    """Pipeline on the door station's satellite, porch light exposed, ring automation."""
    voice = await door_voice(api, serial)
    await offline_pipeline(api)
    await api.call_service(
        "select",
        "select_option",
        {"entity_id": voice.pipeline_select, "option": PIPELINE_NAME},
    )
    await api.websocket_command(
        {
            "type": "homeassistant/expose_entity",
            "assistants": ["conversation"],
            "entity_ids": [PORCH_LIGHT],
            "should_expose": True,
        }
    )
    await api.request(
        "POST",
        f"/api/config/automation/config/{AUTOMATION_ID}",
        {
            "alias": "Talk with the visitor at the gate",
            "description": "Made by scripts/develop from the Talkback blueprint.",
            "use_blueprint": {
                "path": BLUEPRINT_PATH,
                "input": {
                    "doorbell": voice.doorbell,
                    "satellite": voice.satellite,
                    "greeting": GREETING,
                },
            },
        },
    )
    await _wait_for_automation(api)
    return voice


async def _wait_for_automation(api: HassApi) -> None:
    """The config API reloads automations in the background: wait until it is on."""
    async with asyncio.timeout(AUTOMATION_TIMEOUT):
        while True:
            states: list[dict[str, Any]] = await api.request("GET", "/api/states")
            if any(
                state["entity_id"].startswith("automation.")
                and state["attributes"].get("id") == AUTOMATION_ID
                and state["state"] == "on"
                for state in states
            ):
                return
            await asyncio.sleep(0.1)
