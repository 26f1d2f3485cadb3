"""Local drafts: durable, atomic, re-sent until acknowledged; autosave after edits (debounced)
and on a timer. A crash loses nothing: what a killed process saved, a new store reads back."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from db.topics import read_topics_file
from desktop.drafts import Autosave, Draft, DraftStore
from desktop.forms import CaseForm
from tests.conftest import ROOT, TOPICS_FILE

F0 = read_topics_file(TOPICS_FILE).topic[0]
FORM = {"full_name": "Trần Văn Bình", "spo2": 95, "red_flags": ["dyspnoea"]}


def test_a_saved_draft_is_read_back_by_a_new_store(tmp_path: Path) -> None:
    first = DraftStore(tmp_path / "drafts")
    saved = first.save("call-1", {"topic": "f0_home_care", "form": FORM})
    assert (saved.draft_id, saved.revision, saved.acknowledged) == ("call-1", 1, False)
    again = DraftStore(tmp_path / "drafts").load("call-1")
    assert again == saved
    assert again is not None and again.payload["form"]["full_name"] == "Trần Văn Bình"
    assert DraftStore(tmp_path / "drafts").load("call-2") is None


def test_what_a_killed_process_saved_survives(tmp_path: Path) -> None:
    script = ("import os, sys; from pathlib import Path; from desktop.drafts import DraftStore;"
              "DraftStore(Path(sys.argv[1])).save('call-9', {'form': {'spo2': 94}});"
              "os._exit(9)")  # no clean-up, no buffers flushed at exit: as in a crash
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, check=False)
    assert done.returncode == 9
    draft = DraftStore(tmp_path).load("call-9")
    assert draft is not None and draft.payload == {"form": {"spo2": 94}}


def test_files_are_private_whole_json_and_no_temp_is_left(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "d")
    store.save("c", {"form": FORM})
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "d" / "c.json").stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["c.json"]
    record = json.loads((tmp_path / "d" / "c.json").read_text(encoding="utf-8"))
    assert record["payload"]["form"] == FORM and "Trần Văn Bình" in (
        tmp_path / "d" / "c.json").read_text(encoding="utf-8")


def test_a_failed_write_keeps_the_previous_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("c", {"form": FORM})
    with pytest.raises(TypeError):
        store.save("c", {"form": {"when": object()}})
    draft = store.load("c")
    assert draft is not None and draft.payload == {"form": FORM} and draft.revision == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_a_temp_file_left_by_a_crash_is_cleaned_and_never_pending(tmp_path: Path) -> None:
    (tmp_path / ".draft-abc.tmp").write_text('{"half": ', encoding="utf-8")
    store = DraftStore(tmp_path)
    assert store.pending() == [] and not (tmp_path / ".draft-abc.tmp").exists()


def test_pending_until_the_server_acknowledges_the_revision_it_holds(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    first = store.save("a", {"form": {"spo2": 95}})
    store.save("b", {"form": {}})
    assert [d.draft_id for d in store.pending()] == ["a", "b"]
    second = store.save("a", {"form": {"spo2": 93}})  # edited while revision 1 was in flight
    assert second.revision == 2
    assert store.acknowledge("a", first.revision) is False
    assert [d.draft_id for d in DraftStore(tmp_path).pending()] == ["b", "a"]
    assert store.acknowledge("a", second.revision) is True
    assert [d.draft_id for d in DraftStore(tmp_path).pending()] == ["b"]
    loaded = store.load("a")
    assert loaded is not None and loaded.acknowledged and loaded.payload["form"]["spo2"] == 93
    assert store.save("a", {"form": {"spo2": 92}}).revision == 3
    assert [d.draft_id for d in store.pending()] == ["b", "a"], "a new edit is pending again"
    assert store.acknowledge("b") and store.acknowledge("missing") is False


def test_discard_and_bad_ids(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("a", {})
    store.discard("a")
    assert store.load("a") is None and list(tmp_path.iterdir()) == []
    for bad in ("../etc/passwd", "", ".hidden", "a/b", "x" * 65):
        with pytest.raises(ValueError, match="not a draft id"):
            store.save(bad, {})


def test_prune_forgets_only_acknowledged_drafts_older_than_asked(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for draft_id in ("acked", "unacked", "current"):
        store.save(draft_id, {"form": FORM})
    store.acknowledge("acked")
    store.acknowledge("current")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert store.prune(dt.timedelta(days=1), now=dt.datetime.now(dt.UTC)) == []
    assert store.prune(dt.timedelta(days=1), now=later, keep={"current"}) == ["acked"]
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["broken.json", "current.json", "unacked.json"]


def test_an_unreadable_draft_is_kept_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    store = DraftStore(tmp_path)
    store.save("ok", {})
    assert [d.draft_id for d in store.pending()] == ["ok"]
    assert (tmp_path / "broken.json").exists(), "never deleted: someone may rescue it"


def _form(qtbot: QtBot) -> CaseForm:
    form = CaseForm(F0.form, F0.rules, [o.model_dump() for o in F0.outcomes], [])
    qtbot.addWidget(form)
    form.show()
    return form


def test_autosave_writes_after_an_edit_and_a_new_store_reads_it(qtbot: QtBot,
                                                              tmp_path: Path) -> None:
    form = _form(qtbot)
    store = DraftStore(tmp_path)
    saves: list[Draft] = []
    autosave = Autosave(store, "call-7", form, extra=lambda: {"topic": "f0_home_care"},
                        interval_ms=60_000, debounce_ms=50)
    autosave.saved.connect(saves.append)
    spo2 = form.findChild(QLineEdit, "field_spo2")
    with qtbot.waitSignal(autosave.saved, timeout=2000):
        qtbot.keyClicks(spo2, "95")
    assert len(saves) == 1, "two keys, one save"
    draft = DraftStore(tmp_path).load("call-7")
    assert draft is not None and draft.revision == 1
    assert draft.payload == {"topic": "f0_home_care",
                             "form": {"spo2": 95, "triage_level": "orange"}}
    assert autosave.save_now() is None, "nothing changed: nothing written"
    autosave.stop()


def test_autosave_also_saves_on_its_timer(qtbot: QtBot, tmp_path: Path) -> None:
    form = _form(qtbot)
    autosave = Autosave(DraftStore(tmp_path), "call-8", form, interval_ms=50)
    form.set_values({"full_name": "Võ Thị Sáu"})  # no `changed`: only the timer sees it
    with qtbot.waitSignal(autosave.saved, timeout=2000) as signal:
        pass
    assert signal.args[0].payload["form"]["full_name"] == "Võ Thị Sáu"
    autosave.stop()


def test_a_failing_disk_is_reported_not_raised(qtbot: QtBot, tmp_path: Path) -> None:
    form = _form(qtbot)
    store = DraftStore(tmp_path / "gone")
    autosave = Autosave(store, "call-9", form, interval_ms=60_000)
    os.rmdir(tmp_path / "gone")
    with qtbot.waitSignal(autosave.failed, timeout=2000) as signal:
        assert autosave.save_now() is None
    assert "gone" in signal.args[0]
    os.mkdir(tmp_path / "gone", 0o700)
    assert autosave.save_now() is not None, "the next save tries again"
    autosave.stop()


def test_stop_saves_what_is_left(qtbot: QtBot, tmp_path: Path) -> None:
    form = _form(qtbot)
    store = DraftStore(tmp_path)
    autosave = Autosave(store, "call-10", form, interval_ms=60_000, debounce_ms=10_000)
    qtbot.keyClicks(form.findChild(QLineEdit, "field_pulse"), "130")
    assert store.load("call-10") is None, "still debouncing"
    autosave.stop()
    draft: Any = store.load("call-10")
    assert draft.payload["form"]["pulse"] == 130
