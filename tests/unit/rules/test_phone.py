import pytest

from rules.phone import display_phone, national_digits, normalise_phone


@pytest.mark.parametrize("raw", [
    "0912345678", "+84912345678", "84912345678", "0084912345678", "+84 912 345 678",
    "091-234-5678", " 0912.345.678 ",
])
def test_one_mobile_caller_has_one_key(raw: str) -> None:
    assert normalise_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["02903123456", "+842903123456", "842903123456", "0290 3123 456"])
def test_ca_mau_landline_has_one_key(raw: str) -> None:
    assert normalise_phone(raw) == "+842903123456"


@pytest.mark.parametrize("raw, expected", [("1001", "1001"), ("115", "115"), ("1022", "1022")])
def test_extensions_and_short_codes_keep_their_digits(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


def test_foreign_number_is_kept_international() -> None:
    assert normalise_phone("+12025550123") == "+12025550123"
    assert display_phone("+12025550123") == "+1 202-555-0123"


@pytest.mark.parametrize("raw", ["", "   ", "anonymous", "+"])
def test_no_digits_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a phone number"):
        normalise_phone(raw)


def test_display_in_national_format() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone("+842903123456") == "0290 3123 456"
    assert display_phone("1001") == "1001"


def test_every_form_of_a_number_displays_one_way() -> None:
    """The call panel, the callbacks and the declaration show one format, whatever came in."""
    for raw in ("+84939150008", "84939150008", "0939150008", "0939 150 008", "0939.150.008"):
        assert display_phone(raw) == "0939 150 008", raw
    for kept in ("09xx xxx 678", "115", "1001", ""):  # masked, short codes, extensions
        assert display_phone(kept) == kept


@pytest.mark.parametrize(("phone", "dialled"), [
    ("+84912345678", "0912345678"), ("84912345678", "0912345678"),
    ("0912345678", "0912345678"), ("+842903123456", "02903123456"),
    ("+842901022", "02901022"),  # the hotline's own number, as the trunk's caller id
    ("115", "115"), ("1022", "1022"), ("+14155550100", "+14155550100")])
def test_what_the_trunk_dials(phone: str, dialled: str) -> None:
    assert national_digits(phone) == dialled
