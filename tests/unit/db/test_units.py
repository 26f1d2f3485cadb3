"""Administrative units from the shipped CSV; callers' former names find the current unit."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.engine import transaction
from db.errors import DataError
from db.models import AdminUnit, AdminUnitFormer
from db.units import fold, load_units, parse_former, read_units_csv, search_units
from tests.conftest import UNITS_FILE


def test_fold() -> None:
    assert fold("  Xã Tân  Đức ") == "xa tan duc"
    assert fold("Phường Hòa Thành") == fold("phuong hoa thanh")


def test_parse_former_parts() -> None:
    assert parse_former("Xã A;Phường 7 (thành phố Cà Mau) (một phần);Xã B (phần còn lại)") == (
        ("Xã A", "whole"), ("Phường 7 (thành phố Cà Mau)", "part"), ("Xã B", "rest"))


def test_shipped_list_loads(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        rows = s.execute(select(AdminUnit.kind, func.count()).group_by(AdminUnit.kind)).all()
        assert {kind: count for kind, count in rows} == {"tinh": 1, "xa": 55, "phuong": 9}
        commune = s.get_one(AdminUnit, "32167")
        assert commune.name == "Xã Tân Thuận" and commune.parent_code == "96"


@pytest.mark.parametrize("query, code, former", [
    ("Xã Tân Đức", "32167", "Xã Tân Đức"),
    ("tan duc", "32167", "Xã Tân Đức"),
    ("Tân Thuận", "32167", None),
    ("Thị trấn Đầm Dơi", "32152", "Thị trấn Đầm Dơi"),
])
def test_search_by_current_or_former_name(seeded: sessionmaker[Session], query: str, code: str,
                                          former: str | None) -> None:
    with seeded() as s:
        first = search_units(s, query)[0]
    assert (first.code, first.former_name) == (code, former)


def test_former_unit_split_between_two_lists_both(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        matches = search_units(s, "Phường 7")
    by_unit = {m.name: (m.former_name, m.part) for m in matches}
    assert by_unit["Phường Bạc Liêu"] == ("Phường 7 (thành phố Bạc Liêu)", "whole")
    assert by_unit["Phường Tân Thành"] == ("Phường 7 (thành phố Cà Mau)", "part")
    assert by_unit["Phường Hòa Thành"] == ("Phường 7 (thành phố Cà Mau)", "rest")


def test_current_name_ranks_before_former(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        names = [m.name for m in search_units(s, "Khánh Lâm")]
    assert names[0] == "Xã Khánh Lâm"


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,former_units\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("96,Tỉnh Cà Mau,tinh,\n32167,,xa,Xã Tân Đức\n", "line 3: the name is missing"),
    ("96,Tỉnh Cà Mau,tinh,\n32167,Xã Tân Thuận,huyen,\n", "kind 'huyen'"),
    ("96,Tỉnh Cà Mau,tinh,\n32167,A,xa,\n32167,B,xa,\n", "codes repeat: 32167"),
    ("96,Tỉnh Cà Mau,tinh,\nabc,A,xa,\n", "code 'abc'"),
])
def test_bad_rows_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_units_csv(_csv(tmp_path, body))


def test_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("ma,ten\n1,A\n", encoding="utf-8")
    with pytest.raises(DataError, match="the header must be"):
        read_units_csv(path)


def test_reload_updates_in_place(seeded: sessionmaker[Session], tmp_path: Path) -> None:
    rows = read_units_csv(UNITS_FILE)
    with transaction(seeded) as s:
        assert load_units(s, rows) == []
    edited = UNITS_FILE.read_text(encoding="utf-8").replace(
        "32167,Xã Tân Thuận,xa,Xã Tân Đức;Xã Tân Thuận", "32167,Xã Tân Thuận,xa,Xã Tân Đức")
    with transaction(seeded) as s:
        assert load_units(s, read_units_csv(_csv(tmp_path, edited.split("\n", 1)[1]))) == [
            "unit 32167 Xã Tân Thuận: updated"]
    with seeded() as s:
        assert s.scalars(select(AdminUnitFormer.name).where(
            AdminUnitFormer.unit_code == "32167")).all() == ["Xã Tân Đức"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # Excel's CSV UTF-8; "Unicode"
def test_a_list_saved_with_a_bom_or_as_utf_16_reads_as_the_shipped_one(
        tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(UNITS_FILE.read_text(encoding="utf-8").encode(encoding))
    assert read_units_csv(path) == read_units_csv(UNITS_FILE)


def test_other_encodings_and_an_unclosed_quote_are_named(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(UNITS_FILE.read_text(encoding="utf-8").encode("cp1258", "replace"))
    with pytest.raises(DataError, match=r"not UTF-8 text \(byte 0x.. at offset \d+\): save it"):
        read_units_csv(path)
    lines = UNITS_FILE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",", ',"', 1)  # a quote opened and never closed
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="a quote opened and never closed"):
        read_units_csv(path)
