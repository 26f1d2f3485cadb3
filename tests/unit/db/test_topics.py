"""Topics as data: the shipped file loads, bad files are refused naming the fault, and a
refused file writes nothing."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.engine import transaction
from db.errors import DataError
from db.models import Agency, Topic
from db.topics import load_topics, read_topics_file
from rules.forms import form_errors
from tests.conftest import TOPICS_FILE

SEED = TOPICS_FILE.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_topics_follow_the_notice() -> None:
    spec = read_topics_file(TOPICS_FILE)
    assert [(t.menu_key, t.queue) for t in spec.topic] == [
        ("1", "f0_home_care@hotline1022"), ("2", "epidemic_report@hotline1022"),
        ("3", "public_services@hotline1022")]
    f0 = spec.topic[0]
    assert f0.name_vi == "Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert {o.code for o in f0.outcomes} == {"advised_home", "follow_up", "referred_station",
                                             "escalated_115", "referred_hospital", "info_only"}
    fields = set(f0.form["properties"])
    assert {"full_name", "birth_year", "sex", "pregnant", "admin_unit", "address_detail",
            "positive_date", "test_type", "illness_day", "vaccine_doses", "comorbidities",
            "spo2", "respiratory_rate", "pulse", "temperature", "bp_systolic", "bp_diastolic",
            "symptoms", "red_flags", "triage_level", "advice", "outcome"} <= fields
    assert set(f0.form["x-order"]) == fields


def test_load_is_idempotent_and_links_agencies(sessions: sessionmaker[Session]) -> None:
    spec = read_topics_file(TOPICS_FILE)
    with transaction(sessions) as s:
        assert len(load_topics(s, spec)) == 6
    with transaction(sessions) as s:
        assert load_topics(s, spec) == []
        cdc = s.scalars(select(Agency).where(Agency.code == "CDC")).one()
        assert sorted(t.key for t in cdc.topics) == ["epidemic_report", "f0_home_care"]
        f0 = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        outcome = f0.form_schema["properties"]["outcome"]
        assert [o["const"] for o in outcome["oneOf"]] == f0.outcome_codes()


def test_update_changes_only_what_differs(sessions: sessionmaker[Session],
                                          tmp_path: Path) -> None:
    with transaction(sessions) as s:
        load_topics(s, read_topics_file(TOPICS_FILE))
    changed = SEED.replace("service_level_seconds = 20", "service_level_seconds = 15")
    with transaction(sessions) as s:
        assert load_topics(s, read_topics_file(_write(tmp_path, changed))) == [
            "topic f0_home_care: updated service_level_seconds"]


def test_menu_keys_can_be_swapped(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with transaction(sessions) as s:
        load_topics(s, read_topics_file(TOPICS_FILE))
    swapped = SEED.replace('menu_key = "1"', 'menu_key = "X"').replace(
        'menu_key = "2"', 'menu_key = "1"').replace('menu_key = "X"', 'menu_key = "2"')
    with transaction(sessions) as s:
        load_topics(s, read_topics_file(_write(tmp_path, swapped)))
    with sessions() as s:
        keys = dict(s.execute(select(Topic.key, Topic.menu_key)).all())
    assert keys["f0_home_care"] == "2" and keys["epidemic_report"] == "1"


@pytest.mark.parametrize("change, message", [
    (('menu_key = "1"', 'menu_kye = "1"'), "topic 'f0_home_care': menu_kye: unknown key"),
    (('menu_key = "3"', 'menu_key = "2"'),  # both named, and the key they share
     "topics 'epidemic_report' and 'public_services' share the menu_key '2'"),
    (('"symptoms", "red_flags", "triage_level"', '"symptoms", "red_flag", "triage_level"'),
     "topic 'f0_home_care': the form's x-order names 'red_flag', not fields of the form"),
    (('menu_key = "1"', 'menu_key = "12"'), "topic 'f0_home_care': menu_key"),
    (('agencies = ["TTPVHCC"]', 'agencies = ["UBND"]'), "unknown agency 'UBND'"),
    (('minimum = 1900', 'minimum = "1900"'), "not a valid JSON Schema at properties/birth_year"),
    (('field = "spo2"', 'field = "spo3"'), "triage rule names unknown field 'spo3'"),
    (('service_level_seconds = 20', 'service_level_seconds = 0'), "service_level_seconds"),
    (('strategy = "top-down"', 'strategy = "fastest"'), "strategy"),
    (("name_vi = ", "name_vi = = "), "topics.toml"),
])
def test_bad_file_is_refused_and_writes_nothing(sessions: sessionmaker[Session], tmp_path: Path,
                                                change: tuple[str, str], message: str) -> None:
    path = _write(tmp_path, SEED.replace(*change, 1))
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        read_topics_file(path)
    with sessions() as s:
        assert s.scalars(select(Topic)).all() == []


def test_f0_form_accepts_what_a_nurse_records() -> None:
    form = read_topics_file(TOPICS_FILE).topic[0].form
    record = {
        "full_name": "Lê Thị Hoa", "birth_year": 1990, "sex": "female", "pregnant": True,
        "pregnancy_weeks": 28, "admin_unit": "32167", "address_detail": "Ấp 3",
        "positive_date": "2026-11-20", "test_type": "rapid_antigen", "illness_day": 5,
        "vaccine_doses": 3, "comorbidities": ["diabetes"], "spo2": 97, "respiratory_rate": 18,
        "pulse": 88, "temperature": 37.8, "bp_systolic": 120, "bp_diastolic": 80,
        "symptoms": ["fever", "cough"], "red_flags": [], "triage_level": "yellow",
        "advice": "Theo dõi SpO2 3 lần/ngày", "outcome": "follow_up", "follow_up_on": "2026-11-27",
    }
    assert [e for e in form_errors(form, record) if e[0] != "outcome"] == []
    assert ("positive_date", "'20/11/2026' is not a 'date'") in form_errors(
        form, {**record, "positive_date": "20/11/2026"})
    assert form_errors(form, {**record, "temperatur": 37})[0][1].startswith(
        "Additional properties are not allowed")


def test_a_topics_file_saved_as_utf_16_or_with_a_bom_reads_the_same(tmp_path: Path) -> None:
    for encoding in ("utf-16", "utf-8-sig"):
        path = tmp_path / f"topics-{encoding}.toml"
        path.write_bytes(SEED.encode(encoding))
        assert read_topics_file(path) == read_topics_file(TOPICS_FILE)
    path = tmp_path / "latin.toml"
    path.write_bytes(SEED.encode("utf-8").replace("Tư vấn".encode(), b"T\xff v\xe1n"))
    with pytest.raises(DataError, match=r"latin.toml: not UTF-8 text \(byte 0xff"):
        read_topics_file(path)
