"""Property test: no frame a browser can send breaks the widget socket or its session."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_widget_socket import Browser
from widget_testing import LiveHub

TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXT, inner, max_size=3), max_leaves=12)
KEYS = st.sampled_from(["message", "session_id", "client_message_id", "metadata", "customData",
                        "email", "phone", "name", "on", "language"])
FRAMES = st.dictionaries(KEYS, VALUES, max_size=6) | VALUES
EVENTS = st.sampled_from(["session_request", "identify", "user_uttered", "user_typing"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frames=st.lists(st.tuples(EVENTS, FRAMES), min_size=1, max_size=4))
async def test_any_frames_leave_the_socket_working(
    live_hub: LiveHub, frames: list[tuple[str, Any]]
) -> None:
    browser = Browser()
    await browser.connect(live_hub)
    try:
        for event, data in frames:
            await browser.sio.emit(event, data)
        # the visitor can still start a session and is still acknowledged
        session = await browser.start_session(None)
        await browser.say(session, "hola", client_message_id="after-fuzz")
        receipt = await browser.next("message_received")
        while receipt.get("client_message_id") != "after-fuzz":
            receipt = await browser.next("message_received")
        assert browser.sio.connected
    finally:
        await browser.sio.disconnect()
