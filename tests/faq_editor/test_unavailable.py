"""Without a built index the hub does not build one inside a request (minutes of CPU): 503 kb_unavailable."""

from __future__ import annotations

import shutil

from editor_testing import Editing

from faq_editor.editor import FaqEditor


def test_no_index_yet_is_a_clear_503_and_nothing_is_built(editing: Editing, editor: FaqEditor) -> None:
    shutil.rmtree(editor.settings.index_dir)
    response = editing.client.get("/api/v1/faq/entries", headers=editing.agent())
    assert response.status_code == 503 and response.json()["error"]["code"] == "kb_unavailable"
    assert "knowledge_base build" in response.json()["error"]["message"]
    assert not editor.settings.index_dir.exists()
